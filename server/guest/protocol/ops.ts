// Every operation of the guest agent (after the Kata agent API) with its request and response
// schema, plus the events the agent pushes. Host and guest validate against the same schemas.
import { z } from 'zod';
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
      /** NICs found by MAC, their addresses, routes and DNS: the agent configures them before any container. */
      network: GuestNetworkSchema.default(EMPTY_GUEST_NETWORK),
    }),
    response: Empty,
  },
  DestroySandbox: { request: Empty, response: Empty },
  CreateContainer: {
    request: z.object({ containerId: Id, readonlyRootfs: z.boolean().default(false), process: ProcessSpecSchema }),
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
