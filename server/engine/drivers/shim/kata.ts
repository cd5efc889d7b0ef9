// kataShim: one host process per container process (init and every exec), so the container PID
// is a real host PID: alive while the guest process runs, signals sent to it are forwarded, and it
// exits with the process's exit code. A detached process gets a ~2 MB `sh` owned by the pod's proxy
// (server/guest/proxy/process-shims.ts); one whose stdio is relayed to the caller's terminal gets a
// node shim (server/guest/shim/main.ts), spawned here so it can inherit the caller's stdio.
import { once } from 'node:events';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { helperNodeArgs, REPO_ROOT, terminateHelper } from '../../../guest/helper-process.js';
import { connectAgentSocket } from '../../../guest/protocol/connect.js';
import { EngineError } from '../../errors.js';
import { linuxHost } from '../../host/linux.js';
import type { Host } from '../../host/types.js';
import { socketPathOf } from '../proxy/kata.js';
import type { PodContext } from '../types.js';
import type { Shim, ShimParams } from './types.js';

const READY_TIMEOUT_MS = 15_000;
/** The node shim announces on this fd that it forwards signals; only then is its PID the container's. */
const READY_FD = 3;

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

/** True once the shim writes to its readiness pipe; false if it closes it or times out first. */
async function announced(pipe: Readable): Promise<boolean> {
  const timeout = AbortSignal.timeout(READY_TIMEOUT_MS);
  try {
    return await Promise.race([
      once(pipe, 'data', { signal: timeout }).then(() => true),
      once(pipe, 'close', { signal: timeout }).then(() => false),
    ]);
  } catch {
    return false;
  } finally {
    pipe.destroy();
  }
}

async function startRelayShim(host: Host, pod: PodContext, params: ShimParams, marker: string): Promise<number> {
  const args = [
    ...helperNodeArgs('shim'),
    '--proxy', socketPathOf(params.url),
    '--container', params.containerId,
    '--exec-id', params.token,
    '--console', params.console,
    '--ready-fd', String(READY_FD),
    marker,
  ];
  // Relaying to a console tty it opens itself, the shim logs to the run dir; otherwise it owns the
  // caller's stdio, as upstream.
  const logPath = params.console ? join(pod.runDir, 'shim.log') : undefined;
  const failed = () => new EngineError('AGENT_FAILED', `the shim of ${marker} did not start (see ${join(pod.runDir, 'shim.log')})`);
  // The ready pipe comes right after stdio: it is the shim's fd READY_FD.
  const child = await host.spawn(process.execPath, args, { readyPipe: true, cwd: REPO_ROOT, ...(logPath ? { logPath } : {}) }).catch(() => Promise.reject(failed()));
  if (!child.ready || !(await announced(child.ready))) {
    await terminateHelper(child.pid, marker, undefined, host);
    throw failed();
  }
  return child.pid;
}

export function createKataShim(host: Host = linuxHost): Shim {
  return {
    async start(pod, params) {
      const marker = shimMarker(params.containerId, params.token);
      return params.detach ? startProxyShim(params, marker) : startRelayShim(host, pod, params, marker);
    },
  };
}
