// A proxy owns the pod's one connection to the guest agent and serves any number of host clients.
import { connect } from 'node:net';
import { z } from 'zod';
import type { DriverState, PodContext } from '../types.js';

export interface ProxyHandle {
  /** Host PID of the proxy process; 0 when there is none. */
  pid: number;
  /** Where agent clients connect. */
  url: string;
  /**
   * True when `url` is the agent's own channel (noProxy): one client at a time, no proxy-side
   * services, so a shim must reach the agent itself.
   */
  direct: boolean;
  /** Where the proxy reaches the agent (the VM's serial socket): what a restarted proxy connects to. */
  agentUrl?: string;
}

/**
 * One attempt to reach the agent behind the socket at `path` with its own protocol (a handshake,
 * READY), within `timeoutMs`; rejects while it does not answer. The agent driver supplies it, so a
 * proxy without a protocol of its own (noProxy) can wait for any agent.
 */
export type AgentProbe = (path: string, timeoutMs: number) => Promise<void>;

export interface Proxy {
  /**
   * No proxy process: callers reach the agent's own one-client channel themselves, a call at a
   * time (noProxy). An agent driver reads it before boot to ask for channels that need no holder.
   */
  readonly direct: boolean;
  /**
   * `agentUrl` is where the guest's agent channel is reachable on the host (e.g. the serial
   * socket); `probe` is how to tell that the agent answers there (used where nothing else waits).
   */
  start(pod: PodContext, agentUrl: string, probe?: AgentProbe): Promise<ProxyHandle>;
  stop(pod: PodContext, handle: ProxyHandle): Promise<void>;
  /**
   * Called when `handle.url` cannot be reached while the VM lives: starts a new proxy process on
   * the same URL if the recorded one is gone. True when the caller should try once more.
   */
  revive(pod: PodContext, handle: ProxyHandle): Promise<boolean>;
}

/** The agent state of a pod whose sandbox runs behind a proxy: parsed, never read by key. */
const ProxyStateSchema = z.object({
  // Records from before noProxy have no `direct`: they always had a proxy process.
  proxy: z.object({ pid: z.number().int().nonnegative(), url: z.string(), direct: z.boolean().default(false), agentUrl: z.string().optional() }),
});

export function proxyHandleOf(state: DriverState): ProxyHandle | null {
  const parsed = ProxyStateSchema.safeParse(state);
  return parsed.success ? parsed.data.proxy : null;
}

/** The socket path of a `unix://` URL (or of a bare path). */
export function socketPathOf(url: string): string {
  return url.startsWith('unix://') ? url.slice('unix://'.length) : url;
}

/**
 * True when something listens on the unix socket at `path` (the connection is dropped at once),
 * busy ones included: a full backlog (QEMU's one-client chardev serving another) is EAGAIN.
 */
export function canConnect(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'EAGAIN'));
  });
}
