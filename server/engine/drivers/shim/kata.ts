// kataShim: one host process per container process (init and every exec), so the container PID
// is a real host PID: alive while the guest process runs, signals sent to it are forwarded, and it
// exits with the process's exit code. Behind kataProxy each is a ~2 MB `sh` owned by the proxy
// (server/host-procs/proxy/process-shims.ts); with noProxy there is no proxy to own it, so it is a
// detached node process that reaches the agent itself, a call at a time
// (server/host-procs/proxy/direct-shim.ts). No shim ever holds the caller's stdio: a foreground CLI
// relays a container's stdio itself, through attachProcess (server/cli/attach.ts).
import { join } from 'node:path';
import { helperNodeArgs, helpersWithArgument, REPO_ROOT, terminateHelper } from '../../../guest/helper-process.js';
import { connectAgentSocket } from '../../../guest/protocol/connect.js';
import { EngineError } from '../../errors.js';
import { linuxHost } from '../../host/linux.js';
import type { Host } from '../../host/types.js';
import { socketPathOf } from '../proxy/types.js';
import type { Shim, ShimParams } from './types.js';

/** Every shim's argv carries this, so a recorded PID can be checked before it is signalled. */
export function shimMarker(containerId: string, token: string): string {
  return `${containerId}/${token}`;
}

const shimFailed = (marker: string, err: unknown) =>
  new EngineError('AGENT_FAILED', `cannot start the shim of ${marker}: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err });

async function startProxyShim(params: ShimParams, marker: string): Promise<number> {
  try {
    const client = await connectAgentSocket(socketPathOf(params.url));
    try {
      return (await client.call('StartShim', { containerId: params.containerId, execId: params.token, marker })).body.pid;
    } finally {
      client.close();
    }
  } catch (err) {
    throw shimFailed(marker, err);
  }
}

/** The argv of a direct shim (pure, for the snapshot in test/unit/direct-shim.test.ts). */
export function directShimArgs(params: ShimParams): string[] {
  const marker = shimMarker(params.containerId, params.token);
  return [...helperNodeArgs('proxy'), '--direct-shim', '--agent', socketPathOf(params.url), '--container', params.containerId, '--exec', params.token, '--marker', marker];
}

async function startDirectShim(host: Host, runDir: string, params: ShimParams, marker: string): Promise<number> {
  const logPath = join(runDir, 'shims.log');
  const { pid, exited, ready } = await host.spawn(process.execPath, directShimArgs(params), { logPath, cwd: REPO_ROOT, readyPipe: true });
  // Resolved once its signal handlers are in place: a signal sent to the PID right away is forwarded.
  const announced = new Promise<boolean>((resolve) => {
    ready?.once('data', () => resolve(true));
    ready?.once('error', () => resolve(false));
  });
  const outcome = await Promise.race([announced, exited.then((how) => how)]);
  ready?.destroy();
  if (outcome !== true) throw shimFailed(marker, new Error(typeof outcome === 'string' ? `it exited at once (${outcome}; see ${logPath})` : 'no readiness announcement'));
  return pid;
}

export function createKataShim(host: Host = linuxHost): Shim {
  return {
    async start(pod, params) {
      const marker = shimMarker(params.containerId, params.token);
      return params.direct ? startDirectShim(host, pod.runDir, params, marker) : startProxyShim(params, marker);
    },
    async stop(_pod, pid, { containerId, token }) {
      await terminateHelper(pid, shimMarker(containerId, token), 2_000, host);
    },
    async stopAll(_pod, url) {
      // Both kinds carry the socket they talk through in their argv.
      const socket = socketPathOf(url);
      await Promise.all(helpersWithArgument(socket).map((pid) => terminateHelper(pid, socket, undefined, host)));
    },
  };
}
