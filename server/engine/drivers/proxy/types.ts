// A proxy owns the pod's one connection to the guest agent and serves any number of host clients.
import type { DriverState, PodContext } from '../types.js';

export interface ProxyHandle {
  /** Host PID of the proxy process; 0 when there is none. */
  pid: number;
  /** Where agent clients connect. */
  url: string;
}

export interface Proxy {
  /** `agentUrl` is where the guest's agent channel is reachable on the host (e.g. the serial socket). */
  start(pod: PodContext, agentUrl: string): Promise<ProxyHandle>;
  stop(pod: PodContext, handle: ProxyHandle): Promise<void>;
}

export function proxyHandleOf(state: DriverState): ProxyHandle | null {
  const proxy = state['proxy'];
  if (!proxy || typeof proxy !== 'object' || Array.isArray(proxy)) return null;
  return { pid: Number(proxy['pid'] ?? 0), url: String(proxy['url'] ?? '') };
}
