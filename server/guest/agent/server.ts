// The agent's request dispatcher: validates every request against the shared op schemas and
// runs it against the container manager. Output is pushed only to sessions that attached.
import { constants } from 'node:os';
import type { Channel } from '../protocol/channel.js';
import { ServerEndpoint } from '../protocol/endpoint.js';
import { PROTOCOL_VERSION, ProtocolError } from '../protocol/messages.js';
import { AGENT_OPS, isAgentOp, processKey, type AgentOpName, type OpRequestParsed, type OpResponse } from '../protocol/ops.js';
import { ContainerManager } from './containers.js';
import { readGuestMemory } from './guest-stats.js';
import type { RuntimeOptions } from './runtime.js';
import { setupSandbox, teardownSandbox, type Sandbox, type SandboxOptions } from './sandbox.js';
import { warmUpRootfs } from './warm-up.js';

export const AGENT_VERSION = '0.1.0';

export interface AgentOptions extends SandboxOptions {
  runtime: RuntimeOptions;
  /** Where bundles live (guest-local, not shared). */
  stateDir: string;
  /** Where the host's shared directory appears: `<sharedDir>/<cid>/rootfs` is each container's root. */
  sharedDir: string;
}

type Reply<K extends AgentOpName> = { body: OpResponse<K>; payload?: Buffer };
type Handlers = { [K in AgentOpName]: (body: OpRequestParsed<K>, payload: Buffer) => Promise<Reply<K>> };

function toSignal(signal: string | number): NodeJS.Signals | number {
  if (typeof signal === 'number') return signal;
  const name = (signal.startsWith('SIG') ? signal : `SIG${signal}`).toUpperCase();
  if (/^\d+$/.test(signal)) return Number(signal);
  if (!(name in constants.signals)) throw new ProtocolError('INVALID_ARGUMENT', `unknown signal "${signal}"`);
  return name as NodeJS.Signals;
}

export function serveAgent(channel: Channel, options: AgentOptions): { manager: ContainerManager; endpoint: ServerEndpoint } {
  let subscribed = new Set<string>();
  let sandbox: Sandbox | null = null;
  const endpoint: ServerEndpoint = new ServerEndpoint(channel, {
    onSession: () => (subscribed = new Set()),
    onRequest: (request, payload) => {
      const op = request.op;
      const run = async () => {
        if (!isAgentOp(op)) throw new ProtocolError('UNKNOWN_OP', `unknown operation "${op}"`);
        const parsed = AGENT_OPS[op].request.safeParse(request.body);
        if (!parsed.success) throw new ProtocolError('INVALID_ARGUMENT', `${op}: ${parsed.error.message}`);
        const handler = handlers[op] as (body: unknown, payload: Buffer) => Promise<{ body: unknown; payload?: Buffer }>;
        return handler(parsed.data, payload);
      };
      run().then(
        (reply) => endpoint.reply(request, reply),
        (error: unknown) => endpoint.reply(request, { error }),
      );
    },
  });

  const manager = new ContainerManager(options.runtime, options.stateDir, options.sharedDir, {
    output(containerId, execId, stream, offset, data) {
      if (subscribed.has(processKey(containerId, execId))) void endpoint.emit('output', { containerId, execId, stream, offset }, data);
    },
    exit(containerId, execId, exitCode) {
      if (subscribed.has(processKey(containerId, execId))) void endpoint.emit('exit', { containerId, execId, exitCode });
    },
  });

  const handlers: Handlers = {
    Check: async () => ({ body: { serving: true } }),
    Version: async () => ({ body: { agentVersion: AGENT_VERSION, protocolVersion: PROTOCOL_VERSION, terminal: options.runtime.script !== null } }),
    CreateSandbox: async (request) => {
      sandbox = await setupSandbox(options, request);
      manager.networkFilesDir = sandbox.networkFilesDir;
      manager.volumes = sandbox.volumes;
      manager.hostname = request.hostname;
      return { body: {} };
    },
    DestroySandbox: async () => {
      await manager.removeAll(5_000);
      if (sandbox) await teardownSandbox(options, sandbox);
      sandbox = null;
      manager.volumes = new Map();
      return { body: {} };
    },
    CreateContainer: async ({ containerId, readonlyRootfs, process, mounts, devices, rootfsBlock }) => {
      await manager.create(containerId, readonlyRootfs, process, mounts, devices, rootfsBlock);
      return { body: {} };
    },
    StartContainer: async ({ containerId }) => ({ body: { pid: await manager.start(containerId) } }),
    RemoveContainer: async ({ containerId, timeoutMs }) => {
      await manager.remove(containerId, timeoutMs);
      return { body: {} };
    },
    ContainerStatus: async ({ containerId }) => ({ body: manager.status(containerId) }),
    ExecProcess: async ({ containerId, execId, process }) => ({ body: { pid: await manager.exec(containerId, execId, process) } }),
    SignalProcess: async ({ containerId, execId, signal }) => {
      await manager.signal(containerId, execId, toSignal(signal));
      return { body: {} };
    },
    WaitProcess: async ({ containerId, execId }) => {
      const proc = manager.process(containerId, execId);
      const exitCode = await proc.exited;
      return { body: { exitCode, runtimeMs: proc.runtimeMs ?? 0 } };
    },
    ListProcesses: async ({ containerId, format, args }) => ({ body: await manager.listProcesses(containerId, format, args) }),
    GuestStats: async () => ({ body: { memory: await readGuestMemory(), containers: await manager.stats() } }),
    WriteStdin: async ({ containerId, execId }, data) => {
      await manager.process(containerId, execId).writeStdin(data);
      return { body: { length: data.length } };
    },
    CloseStdin: async ({ containerId, execId }) => {
      manager.process(containerId, execId).closeStdin();
      return { body: {} };
    },
    TtyWinResize: async ({ containerId, execId, rows, columns }) => {
      await manager.process(containerId, execId).resize(rows, columns);
      return { body: {} };
    },
    Attach: async ({ containerId, execId, stdoutOffset, stderrOffset }) => {
      const proc = manager.process(containerId, execId);
      subscribed.add(processKey(containerId, execId));
      const stdout = proc.output.stdout.readFrom(stdoutOffset);
      const stderr = proc.output.stderr.readFrom(stderrOffset);
      return {
        body: {
          stdout: { offset: stdout.offset, length: stdout.data.length },
          stderr: { offset: stderr.offset, length: stderr.data.length },
          exitCode: proc.exitCode,
        },
        payload: Buffer.concat([stdout.data, stderr.data]),
      };
    },
    WarmUpRootfs: async ({ containerId, present }) => {
      await warmUpRootfs(options, containerId, present);
      return { body: {} };
    },
    Detach: async ({ containerId, execId }) => {
      subscribed.delete(processKey(containerId, execId));
      return { body: {} };
    },
  };

  return { manager, endpoint };
}
