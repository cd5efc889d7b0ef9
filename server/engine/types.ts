// The virtcontainers 1.0 API types as zod schemas. Field names are the camelCase forms of the
// upstream Go names (ID→id, RootFs→rootFs, VMConfig→vmConfig); enum values keep upstream spelling.
// These schemas are the one validation boundary shared by the engine, the CLI, tRPC and the forms.
import { z } from 'zod';
import type { NetworkInfo } from './drivers/network/types.js';
import type { EffectiveHypervisorConfig } from './effective-config.js';

export const STATES = ['ready', 'running', 'paused', 'stopped'] as const;
export const StateSchema = z.enum(STATES);
export type State = z.infer<typeof StateSchema>;

export const HypervisorTypeSchema = z.enum(['qemu', 'mock']);
export const AgentTypeSchema = z.enum(['noop', 'hyperstart', 'kata']);
export const ProxyTypeSchema = z.enum(['noopProxy', 'noProxy', 'ccProxy', 'kataProxy']);
export const ShimTypeSchema = z.enum(['noopShim', 'ccShim', 'kataShim']);
export const NetworkModelSchema = z.enum(['noop', 'CNI', 'CNM']);
export const NetInterworkingModelSchema = z.enum(['default', 'bridged', 'macvtap', 'enlightened']);
export type HypervisorType = z.infer<typeof HypervisorTypeSchema>;
export type AgentType = z.infer<typeof AgentTypeSchema>;
export type ProxyType = z.infer<typeof ProxyTypeSchema>;
export type ShimType = z.infer<typeof ShimTypeSchema>;
export type NetworkModel = z.infer<typeof NetworkModelSchema>;

/** Pod and container IDs end up in paths, socket names and QEMU's -name: keep them boring. */
export const IdSchema = z
  .string()
  .min(1, 'cannot be empty')
  .max(64, 'must be at most 64 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'may hold only letters, digits, ".", "_" and "-", and must start with a letter or digit');

const AbsPath = z.string().refine((p) => p.startsWith('/'), 'must be an absolute path');
const OptionalAbsPath = z.union([z.literal(''), AbsPath]).default('');
const UInt = z.number().int().nonnegative();

export const ParamSchema = z.object({ key: z.string().min(1, 'cannot be empty'), value: z.string().default('') });
export type Param = z.infer<typeof ParamSchema>;

/**
 * Kernel parameters the host sets on every pod's command line, which guest/init reads first-match:
 * a pod's own would be silently overridden, so it is refused instead (the hostname comes from the
 * pod's hostname; the agent's Node.js flags from the driver, qemu/args.ts agentNodeFlags).
 */
const HOST_SET_KERNEL_PARAMS = new Set(['podvisor.hostname', 'podvisor.node_flags']);
const KernelParamsSchema = z
  .array(ParamSchema)
  .default([])
  .superRefine((params, ctx) => {
    params.forEach((p, i) => {
      if (HOST_SET_KERNEL_PARAMS.has(p.key)) ctx.addIssue({ code: 'custom', path: [i, 'key'], message: `"${p.key}" is set by the host and cannot be overridden` });
    });
  });

export const HypervisorConfigSchema = z.object({
  kernelPath: OptionalAbsPath,
  imagePath: OptionalAbsPath,
  /** Podvisor addition: upstream booted an NVDIMM image directly; our guest starts from an initramfs. */
  initrdPath: OptionalAbsPath,
  firmwarePath: OptionalAbsPath,
  machineAccelerators: z.string().default(''),
  hypervisorPath: OptionalAbsPath,
  kernelParams: KernelParamsSchema,
  hypervisorParams: z.array(ParamSchema).default([]),
  hypervisorMachineType: z.enum(['pc', 'pc-lite', 'q35', '']).default(''),
  debug: z.boolean().default(false),
  defaultVcpus: UInt.max(240).default(0),
  defaultMaxVcpus: UInt.max(240).default(0),
  defaultMemSz: UInt.default(0),
  defaultBridges: UInt.max(5).default(0),
  memPrealloc: z.boolean().default(false),
  hugePages: z.boolean().default(false),
  realtime: z.boolean().default(false),
  mlock: z.boolean().default(false),
  disableNestingChecks: z.boolean().default(false),
  disableBlockDeviceUse: z.boolean().default(false),
  blockDeviceDriver: z.enum(['virtio-scsi', 'virtio-blk', '']).default(''),
  /** Kata's shared_fs: '' is virtio-fs where the host has virtiofsd, else 9p. */
  sharedFs: z.enum(['virtio-fs', 'virtio-9p', '']).default(''),
});
export type HypervisorConfig = z.infer<typeof HypervisorConfigSchema>;

export const ResourcesSchema = z.object({
  vcpus: UInt.max(240).default(0),
  /** MiB; 0 means the hypervisor's DefaultMemSz. */
  memory: UInt.default(0),
});
export type Resources = z.infer<typeof ResourcesSchema>;

export const HookSchema = z.object({
  path: AbsPath,
  args: z.array(z.string()).default([]),
  env: z.array(z.string()).default([]),
  /** Seconds; 0 waits forever, as upstream. */
  timeout: UInt.default(0),
});
export type Hook = z.infer<typeof HookSchema>;
export const HooksSchema = z.object({
  preStartHooks: z.array(HookSchema).default([]),
  postStartHooks: z.array(HookSchema).default([]),
  postStopHooks: z.array(HookSchema).default([]),
});
export type Hooks = z.infer<typeof HooksSchema>;

export const EnvVarSchema = z.object({
  var: z.string().min(1, 'cannot be empty').refine((v) => !v.includes('='), 'cannot contain "="'),
  value: z.string().default(''),
});
export type EnvVar = z.infer<typeof EnvVarSchema>;

const Capability = z.string().regex(/^CAP_[A-Z_]+$/, 'must be a capability name such as CAP_KILL');
export const LinuxCapabilitiesSchema = z.object({
  bounding: z.array(Capability).default([]),
  effective: z.array(Capability).default([]),
  inheritable: z.array(Capability).default([]),
  permitted: z.array(Capability).default([]),
  ambient: z.array(Capability).default([]),
});
export type LinuxCapabilities = z.infer<typeof LinuxCapabilitiesSchema>;

export const CmdSchema = z.object({
  args: z.array(z.string()).min(1, 'must name a program to run'),
  envs: z.array(EnvVarSchema).default([]),
  workDir: z.string().default('/'),
  user: z.string().default(''),
  primaryGroup: z.string().default(''),
  supplementaryGroups: z.array(z.string()).default([]),
  interactive: z.boolean().default(false),
  /** Path of the console (tty) the process gets; empty means no terminal. */
  console: z.string().default(''),
  detach: z.boolean().default(false),
  noNewPrivileges: z.boolean().default(false),
  /** Absent means the runtime's default set. */
  capabilities: LinuxCapabilitiesSchema.optional(),
});
export type Cmd = z.infer<typeof CmdSchema>;
export type CmdInput = z.input<typeof CmdSchema>;

export const MountSchema = z.object({
  source: z.string().min(1, 'cannot be empty'),
  destination: AbsPath,
  type: z.string().default('bind'),
  options: z.array(z.string()).default([]),
  hostPath: z.string().default(''),
  readOnly: z.boolean().default(false),
});
export type Mount = z.infer<typeof MountSchema>;

export const DeviceInfoSchema = z.object({
  hostPath: z.string().default(''),
  containerPath: AbsPath,
  devType: z.enum(['c', 'b', 'u', 'p']),
  major: z.number().int().default(0),
  minor: z.number().int().default(0),
  fileMode: UInt.max(0o7777).default(0o666),
  uid: UInt.default(0),
  gid: UInt.default(0),
  hotplugged: z.boolean().default(false),
  id: z.string().default(''),
});
export type DeviceInfo = z.infer<typeof DeviceInfoSchema>;

export const VolumeSchema = z.object({
  /** Becomes QEMU's mount_tag (a comma would start another option) and a directory name in the guest. */
  mountTag: z
    .string()
    .min(1, 'cannot be empty')
    .max(31, 'must be at most 31 characters')
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'may hold only letters, digits, ".", "_" and "-", and must start with a letter or digit'),
  hostPath: AbsPath,
});
export type Volume = z.infer<typeof VolumeSchema>;

export const NetworkConfigSchema = z.object({
  netNsPath: OptionalAbsPath,
  numInterfaces: UInt.default(0),
  interworkingModel: NetInterworkingModelSchema.default('default'),
  /** Podvisor addition: the CNI network (a conflist in the CNI config dir) for the CNI model. */
  cniNetwork: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be a CNI network name (letters, digits, ".", "_", "-")')
    .default('podvisor0'),
});
export type NetworkConfig = z.infer<typeof NetworkConfigSchema>;

export const ContainerConfigSchema = z.object({
  id: IdSchema,
  rootFs: AbsPath,
  readonlyRootfs: z.boolean().default(false),
  cmd: CmdSchema,
  annotations: z.record(z.string(), z.string()).default({}),
  mounts: z.array(MountSchema).default([]),
  deviceInfos: z.array(DeviceInfoSchema).default([]),
});
export type ContainerConfig = z.infer<typeof ContainerConfigSchema>;
export type ContainerConfigInput = z.input<typeof ContainerConfigSchema>;

const DriverConfig = z.record(z.string(), z.unknown()).default({});

export const PodConfigSchema = z
  .object({
    id: IdSchema,
    hostname: z.string().max(64, 'must be at most 64 characters').default(''),
    hooks: HooksSchema.default({ preStartHooks: [], postStartHooks: [], postStopHooks: [] }),
    vmConfig: ResourcesSchema.default({ vcpus: 0, memory: 0 }),
    hypervisorType: HypervisorTypeSchema.default('qemu'),
    hypervisorConfig: HypervisorConfigSchema.default(HypervisorConfigSchema.parse({})),
    agentType: AgentTypeSchema.default('noop'),
    agentConfig: DriverConfig,
    proxyType: ProxyTypeSchema.default('noopProxy'),
    proxyConfig: DriverConfig,
    shimType: ShimTypeSchema.default('noopShim'),
    shimConfig: DriverConfig,
    networkModel: NetworkModelSchema.default('noop'),
    networkConfig: NetworkConfigSchema.default(NetworkConfigSchema.parse({})),
    volumes: z.array(VolumeSchema).default([]),
    containers: z.array(ContainerConfigSchema).default([]),
    annotations: z.record(z.string(), z.string()).default({}),
  })
  .superRefine((pod, ctx) => {
    const seen = new Set<string>();
    pod.containers.forEach((c, i) => {
      if (seen.has(c.id)) ctx.addIssue({ code: 'custom', path: ['containers', i, 'id'], message: `duplicates container "${c.id}"` });
      seen.add(c.id);
    });
    const tags = new Set<string>();
    pod.volumes.forEach((v, i) => {
      if (tags.has(v.mountTag)) ctx.addIssue({ code: 'custom', path: ['volumes', i, 'mountTag'], message: `duplicates tag "${v.mountTag}"` });
      tags.add(v.mountTag);
    });
  });
export type PodConfig = z.infer<typeof PodConfigSchema>;
export type PodConfigInput = z.input<typeof PodConfigSchema>;
export type { EffectiveHypervisorConfig, Effective } from './effective-config.js';

/** Podvisor addition: the folders an admin allows API calls to name host paths in (checked in the engine: each must be an existing directory). */
export const HostPathRootsSchema = z.array(AbsPath).min(1, 'must name at least one folder').max(64, 'must name at most 64 folders');

export const ProcessSchema = z.object({
  token: z.string(),
  pid: z.number().int(),
  startTime: z.string(),
});
export type Process = z.infer<typeof ProcessSchema>;

export const ProcessListOptionsSchema = z.object({
  format: z.enum(['json', 'table']).default('table'),
  args: z.array(z.string()).default([]),
});
export type ProcessListOptions = z.infer<typeof ProcessListOptionsSchema>;

export const SignalSchema = z.union(
  [
    z.number().int().min(1).max(64),
    z
      .string()
      .regex(/^(SIG)?[A-Z][A-Z0-9+-]*$/)
      .transform((s) => (s.startsWith('SIG') ? s : `SIG${s}`)),
  ],
  { error: 'must be a signal name such as SIGTERM, or a number from 1 to 64' },
);

export const EventListOptionsSchema = z.object({ limit: z.number().int().min(1).max(10_000).default(200) });

export interface ContainerStatus {
  id: string;
  state: State;
  pid: number;
  startTime: string;
  rootFs: string;
  annotations: Record<string, string>;
  /** Podvisor addition: exit code of the container's init once it has exited. */
  exitCode: number | null;
}

export interface PodStatus {
  id: string;
  state: State;
  hypervisor: HypervisorType;
  hypervisorConfig: HypervisorConfig;
  /** Podvisor addition: hypervisorConfig with the defaults applied, each value with its source (effective-config.ts). */
  effectiveHypervisorConfig: EffectiveHypervisorConfig;
  agent: AgentType;
  containersStatus: ContainerStatus[];
  annotations: Record<string, string>;
  /** Podvisor addition: what the hypervisor driver reports (accelerator, VM PID, ...). */
  vm: VmInfo | null;
  /** Podvisor addition: the network driver's view; null for the noop model or a stopped pod. */
  network: NetworkInfo | null;
}

export interface VmInfo {
  pid: number;
  accelerator: string;
  consoleLog: string;
  /** The VM's NICs; `vhost` false means userspace virtio-net (the host has no usable /dev/vhost-net). */
  nics: { id: string; mac: string; vhost: boolean }[];
  /** The transport of the pod's shared directory (a read-only share may still be 9p: see qemu/virtiofsd.ts). */
  sharedFs: 'virtio-fs' | 'virtio-9p';
  /** Cloned from a template (which) or cold-booted (and why not cloned), with the hypervisor's stage times. */
  boot?: { mode: 'cloned' | 'cold'; template: string | null; reason: string | null; agent?: string | null; stages: { name: string; ms: number }[] };
}

