// ccShim: one host process per container process, bound to the process's ccProxy I/O token
// (server/host-procs/cc-proxy/shim.ts): alive while the guest process runs, forwarding the
// signals it gets, exiting with the process's exit code. Its PID is the container's PID.
// Its argv carries the pod's run dir (`-p`), so a pod's shims are found without asking the
// host-wide proxy.
import { join } from 'node:path';
import { helperNodeArgs, helpersWithArgument, REPO_ROOT, terminateHelper } from '../../../guest/helper-process.js';
import { EngineError } from '../../errors.js';
import { linuxHost } from '../../host/linux.js';
import type { Host } from '../../host/types.js';
import type { PodContext } from '../types.js';
import type { Shim, ShimParams } from './types.js';

export const CC_SHIM_MARKER = '--cc-shim';

/**
 * Upstream's cc-shim flags (-c, -t, -u) plus the pod's run dir; without a proxy (hyperstart with
 * noProxy) -u is the control socket and the stream port's file and FIFO follow.
 */
export function ccShimArgs(pod: Pick<PodContext, 'runDir'>, params: ShimParams): string[] {
  const base = [...helperNodeArgs('proxy'), CC_SHIM_MARKER, '-c', params.containerId, '-t', params.token, '-u', params.url, '-p', pod.runDir];
  const s = params.hyperStreams;
  return params.direct && s ? [...base, '--direct', '--process', s.process, '--streams', s.output, '--stdin', s.input] : base;
}

export function createCcShim(host: Host = linuxHost): Shim {
  return {
    async start(pod, params) {
      if (params.direct && !params.hyperStreams) throw new EngineError('NOT_SUPPORTED', 'ccShim reaches a hyperstart agent, through a ccProxy or its stream port; it cannot reach this agent directly');
      const logPath = join(pod.runDir, 'shims.log');
      const { pid, exited, ready } = await host.spawn(process.execPath, ccShimArgs(pod, params), { logPath, cwd: REPO_ROOT, readyPipe: true });
      // Resolved once it is bound to its token with its signal handlers in place.
      const announced = new Promise<boolean>((resolve) => {
        ready?.once('data', () => resolve(true));
        ready?.once('error', () => resolve(false));
      });
      const outcome = await Promise.race([announced, exited]);
      ready?.destroy();
      if (outcome !== true) {
        const why = typeof outcome === 'string' ? `it exited at once (${outcome}; see ${logPath})` : 'no readiness announcement';
        throw new EngineError('AGENT_FAILED', `cannot start the ccShim of ${params.containerId}/${params.token}: ${why}`);
      }
      return pid;
    },
    async stop(_pod, pid, { token }) {
      await terminateHelper(pid, token, 2_000, host);
    },
    async stopAll(pod) {
      const shims = new Set(helpersWithArgument(CC_SHIM_MARKER));
      await Promise.all(helpersWithArgument(pod.runDir).filter((pid) => shims.has(pid)).map((pid) => terminateHelper(pid, pod.runDir, 2_000, host)));
    },
  };
}
