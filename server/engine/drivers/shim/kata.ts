// kataShim: one host process per container process (init and every exec), so the container PID
// is a real host PID: alive while the guest process runs, signals sent to it are forwarded, and it
// exits with the process's exit code. Each is a ~2 MB `sh` owned by the pod's proxy
// (server/guest/proxy/process-shims.ts). No shim ever holds the caller's stdio: a foreground CLI
// relays a container's stdio itself, through attachProcess (server/cli/attach.ts).
import { connectAgentSocket } from '../../../guest/protocol/connect.js';
import { EngineError } from '../../errors.js';
import { socketPathOf } from '../proxy/kata.js';
import type { Shim, ShimParams } from './types.js';


/** Every shim's argv carries this, so a recorded PID can be checked before it is signalled. */
export function shimMarker(containerId: string, token: string): string {
  return `${containerId}/${token}`;
}

async function startProxyShim(params: ShimParams, marker: string): Promise<number> {
  try {
    const client = await connectAgentSocket(socketPathOf(params.url));
    try {
      return (await client.call('StartShim', { containerId: params.containerId, execId: params.token, marker })).body.pid;
    } finally {
      client.close();
    }
  } catch (err) {
    throw new EngineError('AGENT_FAILED', `cannot start the shim of ${marker}: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err });
  }
}

export function createKataShim(): Shim {
  return {
    async start(_pod, params) {
      return startProxyShim(params, shimMarker(params.containerId, params.token));
    },
  };
}
