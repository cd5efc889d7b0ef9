// kataShim: one detached host process per container process (init and every exec), so the
// container PID is a real host PID: alive while the guest process runs, signals sent to it are
// forwarded, and it exits with the process's exit code. See server/guest/shim/main.ts.
import { spawn, type StdioOptions } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { helperNodeArgs, REPO_ROOT } from '../../../guest/helper-process.js';
import { EngineError } from '../../errors.js';
import { socketPathOf } from '../proxy/kata.js';
import type { Shim } from './types.js';

/** The shim's argv carries this, so a recorded PID can be checked before it is signalled. */
export function shimMarker(containerId: string, token: string): string {
  return `${containerId}/${token}`;
}

export function createKataShim(): Shim {
  return {
    async start(pod, params) {
      const relay = !params.detach;
      const args = [
        ...helperNodeArgs('shim'),
        '--proxy', socketPathOf(params.url),
        '--container', params.containerId,
        '--exec-id', params.token,
        '--console', params.console,
        ...(relay ? [] : ['--detach']),
        shimMarker(params.containerId, params.token),
      ];
      // A detached shim logs to the pod's run dir; otherwise it owns the caller's stdio, as upstream.
      const logFd = relay && !params.console ? null : openSync(join(pod.runDir, 'shim.log'), 'a');
      const stdio: StdioOptions = logFd === null ? 'inherit' : ['ignore', logFd, logFd];
      const child = spawn(process.execPath, args, { detached: true, stdio, cwd: REPO_ROOT });
      if (logFd !== null) closeSync(logFd);
      child.unref();
      if (!child.pid) throw new EngineError('AGENT_FAILED', `cannot start the shim of ${params.containerId}/${params.token}`);
      return child.pid;
    },
  };
}
