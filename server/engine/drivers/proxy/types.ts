// A proxy owns the pod's one connection to the guest agent and serves any number of host clients.
import { z } from 'zod';
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

/** The agent state of a pod whose sandbox runs behind a proxy: parsed, never read by key. */
const ProxyStateSchema = z.object({ proxy: z.object({ pid: z.number().int().nonnegative(), url: z.string() }) });

export function proxyHandleOf(state: DriverState): ProxyHandle | null {
  const parsed = ProxyStateSchema.safeParse(state);
  return parsed.success ? parsed.data.proxy : null;
}
