// Every operation of the guest agent (after the Kata agent API) with its request and response
// schema, plus the events the agent pushes. Host and guest validate against the same schemas.
import { z } from 'zod';
import { ContainerDeviceSchema, GuestBlockSchema } from './devices.js';
import { EMPTY_GUEST_NETWORK, GuestNetworkSchema } from './network.js';

const Id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$/, 'must be a plain identifier');
const Empty = z.object({});

export const CapabilitiesSchema = z.object({
  bounding: z.array(z.string()),
  effective: z.array(z.string()),
  inheritable: z.array(z.string()),
  permitted: z.array(z.string()),
  ambient: z.array(z.string()),
});

/** The process to run, as the engine's Cmd gives it; users and groups are resolved in the guest. */
export const ProcessSpecSchema = z.object({
  args: z.array(z.string()).min(1),
  env: z.array(z.string()).default([]),
  cwd: z.string().default('/'),
  user: z.string().default(''),
  primaryGroup: z.string().default(''),
  supplementaryGroups: z.array(z.string()).default([]),
  noNewPrivileges: z.boolean().default(false),
  /** Absent: the runtime's default set. */
  capabilities: CapabilitiesSchema.optional(),
  terminal: z.boolean().default(false),
  /** Keep stdin open for WriteStdin; otherwise it reads /dev/null. */
  stdin: z.boolean().default(false),
  consoleSize: z.object({ rows: z.number().int().positive(), columns: z.number().int().positive() }).optional(),
});
export type ProcessSpec = z.infer<typeof ProcessSpecSchema>;

export const StorageSchema = z.object({
  source: z.string(),
  fstype: z.string(),
  options: z.array(z.string()).default([]),
  mountPoint: z.string(),
});
export type Storage = z.infer<typeof StorageSchema>;

/** A pod volume's tag: QEMU's mount_tag and one path component in the guest (<volumes dir>/<tag>). */
export const VolumeTagSchema = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,30}$/, 'must be 1 to 31 letters, digits, ".", "_" or "-", not starting with a punctuation mark');

/** A share the host contributed under `source` (its tag); the agent picks the mount point: <volumes dir>/<tag>. */
export const VolumeStorageSchema = StorageSchema.omit({ mountPoint: true }).extend({ source: VolumeTagSchema });
export type VolumeStorage = z.infer<typeof VolumeStorageSchema>;

const segments = (p: string) => p.split('/').filter(Boolean);
const noDotSegments = (p: string) => segments(p).every((s) => s !== '.' && s !== '..');
/** A path in the container: absolute, no `.` or `..` (crun resolves it inside the rootfs; `..` only hides intent). */
const ContainerPathSchema = z.string().startsWith('/').refine(noDotSegments, 'must not contain "." or ".." components');

/** Where a mount's source is in the guest. The host names it; only the agent turns it into a guest path. */
export const MountSourceSchema = z.discriminatedUnion('kind', [
  /** A host path the host bind-mounted into the pod's shared dir under this name. */
  z.object({ kind: z.literal('shared'), name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$/, 'must be one plain file name') }),
  /** A path inside a volume the sandbox mounted ('' for the volume itself). */
  z.object({ kind: z.literal('volume'), tag: VolumeTagSchema, path: z.string().refine((p) => !p.startsWith('/') && noDotSegments(p), 'must be relative without "." or ".."').default('') }),
  /** Not a path: the label of a filesystem made inside the guest (`tmpfs`, `proc`, …). */
  z.object({ kind: z.literal('label'), label: z.string().min(1).max(255) }),
]);

const BIND_OPTIONS = ['bind', 'rbind'];
/**
 * A container mount as the guest makes it. Only `bind` mounts have a path source (so no request can
 * bind an arbitrary guest path into a container), and a filesystem mount cannot turn into a bind
 * through its options (crun binds whenever the options say so).
 */
export const ContainerMountSchema = z
  .object({
    destination: ContainerPathSchema,
    type: z.string().regex(/^[a-z0-9]{1,32}$/, 'must be a filesystem type name'),
    source: MountSourceSchema,
    options: z.array(z.string()).default([]),
  })
  .refine((m) => (m.type === 'bind') === (m.source.kind !== 'label'), 'a bind mount needs a shared or volume source, any other type a label')
  .refine((m) => m.type === 'bind' || !m.options.some((o) => BIND_OPTIONS.includes(o)), 'only a bind mount may have bind options');
export type ContainerMount = z.infer<typeof ContainerMountSchema>;
export type ContainerMountInput = z.input<typeof ContainerMountSchema>;

const ProcessRef = z.object({ containerId: Id, execId: Id });
const StreamCursor = z.object({ offset: z.number().int().nonnegative(), length: z.number().int().nonnegative() });

export const AGENT_OPS = {
  Check: { request: Empty, response: z.object({ serving: z.boolean() }) },
  /** terminal: whether this guest can give processes a TTY. */
  Version: { request: Empty, response: z.object({ agentVersion: z.string(), protocolVersion: z.number(), terminal: z.boolean() }) },
  CreateSandbox: {
    request: z.object({
      sandboxId: z.string(),
      hostname: z.string().max(64),
      storages: z.array(StorageSchema).default([]),
      /** The pod's volumes, mounted before any container so that mounts can bind from them. */
      volumes: z.array(VolumeStorageSchema).default([]),
      /** NICs found by MAC, their addresses, routes and DNS: the agent configures them before any container. */
      network: GuestNetworkSchema.default(EMPTY_GUEST_NETWORK),
      /**
       * A VM cloned from a template resumes with the template's clock and random state: the host's
       * time (ms since the epoch) and fresh random bytes to mix in, applied before anything else.
       */
      identity: z.object({ timeMs: z.number().int().positive(), seed: z.string().max(1024) }).optional(),
    }),
    response: Empty,
  },
  DestroySandbox: { request: Empty, response: Empty },
  CreateContainer: {
    request: z.object({
      containerId: Id,
      readonlyRootfs: z.boolean().default(false),
      process: ProcessSpecSchema,
      mounts: z.array(ContainerMountSchema).default([]),
      /** deviceInfos, as the guest must make them (devices.ts). */
      devices: z.array(ContainerDeviceSchema).default([]),
      /** A rootfs on a plugged disk, mounted as the container's root; null: the rootfs in the pod's share. */
      rootfsBlock: GuestBlockSchema.nullable().default(null),
    }),
    response: Empty,
  },
  StartContainer: { request: z.object({ containerId: Id }), response: z.object({ pid: z.number().int() }) },
  RemoveContainer: { request: z.object({ containerId: Id, timeoutMs: z.number().int().positive().default(10_000) }), response: Empty },
  ContainerStatus: {
    request: z.object({ containerId: Id }),
    response: z.object({ status: z.enum(['created', 'running', 'stopped']), pid: z.number().int(), exitCode: z.number().int().nullable() }),
  },
  ExecProcess: { request: ProcessRef.extend({ process: ProcessSpecSchema }), response: z.object({ pid: z.number().int() }) },
  /** An empty execId signals every process of the container. */
  SignalProcess: {
    request: z.object({ containerId: Id, execId: z.union([Id, z.literal('')]), signal: z.union([z.string(), z.number().int()]) }),
    response: Empty,
  },
  /** runtimeMs: guest-side wall time of the runtime (crun) from spawn to exit. */
  WaitProcess: { request: ProcessRef, response: z.object({ exitCode: z.number().int(), runtimeMs: z.number() }) },
  ListProcesses: {
    request: z.object({ containerId: Id, format: z.enum(['table', 'json']).default('table'), args: z.array(z.string()).default([]) }),
    response: z.object({ output: z.string(), processes: z.array(z.record(z.string(), z.string())).optional() }),
  },
  /**
   * The guest's memory (/proc/meminfo: MemTotal, MemAvailable; null if unreadable) and each
   * container's cgroup v2 figures (cpu.stat usage_usec, memory.current), for the host's metrics
   * sampler; a container without a cgroup (not started, gone) is left out.
   */
  GuestStats: {
    request: Empty,
    response: z.object({
      memory: z.object({ totalBytes: z.number().int().nonnegative(), availableBytes: z.number().int().nonnegative() }).nullable(),
      containers: z.array(z.object({ containerId: Id, cpuUsageUsec: z.number().int().nonnegative().nullable(), memoryBytes: z.number().int().nonnegative().nullable() })),
    }),
  },
  /** The payload holds the bytes to write. */
  WriteStdin: { request: ProcessRef, response: z.object({ length: z.number().int() }) },
  CloseStdin: { request: ProcessRef, response: Empty },
  TtyWinResize: { request: ProcessRef.extend({ rows: z.number().int().positive(), columns: z.number().int().positive() }), response: Empty },
  /**
   * Subscribes this session to the process's output events and returns the buffered output
   * from the given offsets on: the payload holds stdout bytes, then stderr bytes.
   */
  Attach: {
    request: ProcessRef.extend({ stdoutOffset: z.number().int().nonnegative().default(0), stderrOffset: z.number().int().nonnegative().default(0) }),
    response: z.object({ stdout: StreamCursor, stderr: StreamCursor, exitCode: z.number().int().nullable() }),
  },
  Detach: { request: ProcessRef, response: Empty },
  /**
   * Templates only: present=true bind-mounts the guest's own root where the container's rootfs in
   * the share would be, so a template VM (no share mounted) can run a warm-up container; false
   * removes it. Refused once the pod's share is mounted, and by an agent run on a host.
   */
  WarmUpRootfs: { request: z.object({ containerId: Id, present: z.boolean() }), response: Empty },
} as const;

/** Answered by the kata proxy itself, never forwarded to the guest. */
export const PROXY_OPS = {
  /** Starts the host process that stands for one container process (see proxy/process-shims.ts). */
  StartShim: { request: ProcessRef.extend({ marker: z.string().min(1) }), response: z.object({ pid: z.number().int() }) },
} as const;

export const OPS = { ...AGENT_OPS, ...PROXY_OPS } as const;

export type AgentOpName = keyof typeof AGENT_OPS;
export type OpName = keyof typeof OPS;
export type OpRequest<K extends OpName> = z.input<(typeof OPS)[K]['request']>;
export type OpRequestParsed<K extends OpName> = z.output<(typeof OPS)[K]['request']>;
export type OpResponse<K extends OpName> = z.output<(typeof OPS)[K]['response']>;

export function isAgentOp(name: string): name is AgentOpName {
  return Object.hasOwn(AGENT_OPS, name);
}

export const EVENTS = {
  /** The payload holds the bytes; offset is their position in the stream since the process started. */
  output: ProcessRef.extend({ stream: z.enum(['stdout', 'stderr']), offset: z.number().int().nonnegative() }),
  exit: ProcessRef.extend({ exitCode: z.number().int() }),
} as const;

export type EventName = keyof typeof EVENTS;
export type EventBody<K extends EventName> = z.output<(typeof EVENTS)[K]>;

export function processKey(containerId: string, execId: string): string {
  return `${containerId}/${execId}`;
}
