// Connections from the kata agent driver to the pod's proxy, and the mapping of protocol
// failures to EngineErrors.
import { AgentClient } from '../../../guest/protocol/client.js';
import { connectAgentSocket, connectAgentSocketWhenFree } from '../../../guest/protocol/connect.js';
import { ProtocolError } from '../../../guest/protocol/messages.js';
import { EngineError } from '../../errors.js';
import { proxyHandleOf, socketPathOf, type ProxyHandle } from '../proxy/types.js';
import type { PodContext } from '../types.js';
import { connectReviving, isGoneErrno, withConnection, type ConnectionPolicy, type Revive } from './connection.js';

export type { Revive } from './connection.js';

export function toAgentError(err: unknown, what: string): EngineError {
  if (err instanceof EngineError) return err;
  const message = `${what}: ${err instanceof Error ? err.message : String(err)}`;
  const code = err instanceof ProtocolError && err.code === 'TIMEOUT' ? 'TIMEOUT' : 'AGENT_FAILED';
  return new EngineError(code, message, err instanceof ProtocolError ? { agentCode: err.code } : undefined, { cause: err });
}

/** The agent's own error code (NOT_FOUND, INVALID_STATE, ...) behind an error, if any. */
export function agentCodeOf(err: unknown): string | null {
  const cause = err instanceof EngineError ? err.cause : err;
  return cause instanceof ProtocolError ? cause.code : null;
}

/** True for errors meaning "the proxy or the VM behind it is gone", as opposed to the agent refusing. */
export function isUnreachable(err: unknown): boolean {
  const cause = err instanceof EngineError ? err.cause : err;
  if (cause instanceof ProtocolError) return cause.code === 'DISCONNECTED';
  return isGoneErrno(cause);
}

export function proxyOf(pod: PodContext): ProxyHandle {
  const handle = proxyHandleOf(pod.runtime.agent);
  if (!handle?.url) throw new EngineError('AGENT_FAILED', `pod ${pod.id} has no agent proxy (was its sandbox started?)`);
  return handle;
}

/** How long a call waits for the agent's socket while other clients hold it (noProxy). */
const DIRECT_WAIT_MS = 30_000;


/** The kata protocol's reading of failures, for the shared connection skeleton (connection.ts). */
const KATA_POLICY: ConnectionPolicy = { isUnreachable, toError: toAgentError };

/**
 * A handle that is `direct` names the agent's own one-client socket (noProxy), not a proxy's.
 * When the proxy cannot be reached, `revive` may restart it, and the connection is tried once more.
 */
export function openClient({ url, direct }: ProxyHandle, revive?: Revive): Promise<AgentClient> {
  const path = socketPathOf(url);
  const connectOnce = () => (direct ? connectAgentSocketWhenFree(path, { waitMs: DIRECT_WAIT_MS, handshakeTimeoutMs: DIRECT_WAIT_MS }) : connectAgentSocket(path));
  return connectReviving(connectOnce, revive, KATA_POLICY, `the agent proxy at ${url}`);
}

/** Runs `fn` on a fresh connection to the pod's proxy, closed afterwards. */
export function withAgent<T>(pod: PodContext, what: string, fn: (client: AgentClient) => Promise<T>, handle = proxyOf(pod), revive?: Revive): Promise<T> {
  return withConnection(() => openClient(handle, revive), fn, KATA_POLICY, `pod ${pod.id}: ${what}`);
}
