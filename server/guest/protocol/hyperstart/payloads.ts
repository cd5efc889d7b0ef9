// The JSON payloads of hyperstart control frames, with virtcontainers' field names. Shared by the
// host driver (which builds them) and the guest agent (which validates them).
import { z } from 'zod';

export const HyperInterfaceSchema = z.object({
  newDeviceName: z.string().min(1),
  ipAddresses: z.array(z.object({ ipAddress: z.string(), netMask: z.string() })).default([]),
  mtu: z.number().int().positive().optional(),
  macAddr: z.string().optional(),
});

export const HyperRouteSchema = z.object({ dest: z.string(), gateway: z.string().optional(), device: z.string().optional() });

export const StartPodSchema = z.object({
  hostname: z.string().max(64),
  containers: z.array(z.unknown()).default([]),
  interfaces: z.array(HyperInterfaceSchema).default([]),
  routes: z.array(HyperRouteSchema).default([]),
  shareDir: z.string().default('hyperShared'),
  /** Podvisor addition: how the share dir reaches the guest (the host picks virtio-fs or 9p per share). */
  shareFsType: z.enum(['9p', 'virtiofs']).default('9p'),
});
export type StartPod = z.infer<typeof StartPodSchema>;

const CapabilitiesSchema = z.object({
  bounding: z.array(z.string()).default([]),
  effective: z.array(z.string()).default([]),
  inheritable: z.array(z.string()).default([]),
  permitted: z.array(z.string()).default([]),
  ambient: z.array(z.string()).default([]),
});

export const HyperProcessSchema = z.object({
  id: z.string().optional(),
  user: z.string().default(''),
  group: z.string().default(''),
  additionalGroups: z.array(z.string()).default([]),
  terminal: z.boolean().default(false),
  /** The stdout seq; stderr is stdio + 1 (0 for both means the proxy allocates none). */
  stdio: z.number().int().nonnegative().default(0),
  stderr: z.number().int().nonnegative().default(0),
  args: z.array(z.string()).min(1),
  envs: z.array(z.object({ env: z.string(), value: z.string() })).default([]),
  workdir: z.string().default('/'),
  noNewPrivileges: z.boolean().default(false),
  capabilities: CapabilitiesSchema.optional(),
});
export type HyperProcess = z.infer<typeof HyperProcessSchema>;

export const FsmapSchema = z.object({
  source: z.string(),
  path: z.string().startsWith('/'),
  readOnly: z.boolean().default(false),
  dockerVolume: z.boolean().default(false),
  absolutePath: z.boolean().default(false),
});

export const NewContainerSchema = z.object({
  id: z.string().min(1),
  /** The container's directory in the share dir; `rootfs` below it is the root. */
  image: z.string().min(1),
  rootfs: z.string().default('rootfs'),
  fsmap: z.array(FsmapSchema).default([]),
  process: HyperProcessSchema,
});
export type NewContainer = z.infer<typeof NewContainerSchema>;

export const ExecCmdSchema = z.object({ container: z.string().min(1), process: HyperProcessSchema });
export const KillContainerSchema = z.object({ container: z.string().min(1), signal: z.number().int().min(1).max(64), allProcesses: z.boolean().default(false) });
export const RemoveContainerSchema = z.object({ container: z.string().min(1) });
export const PsContainerSchema = z.object({ container: z.string().min(1), format: z.enum(['json', 'table']).default('table'), psargs: z.array(z.string()).default([]) });
export const WinsizeSchema = z.object({ container: z.string().min(1), process: z.string().default(''), row: z.number().int().min(1).max(65535), column: z.number().int().min(1).max(65535) });
export const ProcessAsyncEventSchema = z.object({ container: z.string(), process: z.string(), event: z.literal('finished'), status: z.number().int() });
export type ProcessAsyncEvent = z.infer<typeof ProcessAsyncEventSchema>;

/** A NEWCONTAINER / EXECCMD payload with its process's stdio seqs set (stdout `seq`, stderr seq + 1); others as they are. */
export function withStdioSeqs<T extends object | null>(data: T, seq: number): T {
  if (!data || !('process' in data) || typeof data.process !== 'object' || !data.process) return data;
  return { ...data, process: { ...data.process, stdio: seq, stderr: seq + 1 } };
}
