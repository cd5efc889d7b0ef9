// kataProxy: one detached proxy process per pod (it survives the CLI), owning the connection to
// the guest agent and serving every host client on <runDir>/proxy.sock.
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { helperNodeArgs, REPO_ROOT, terminateHelper } from '../../../guest/helper-process.js';
import { EngineError } from '../../errors.js';
import { linuxHost } from '../../host/linux.js';
import type { Host } from '../../host/types.js';
import { socketPathOf, type Proxy } from './types.js';

const READY_TIMEOUT_MS = 15_000;

/** Kept here for callers from before noProxy; the helper lives with the proxy types. */
export { socketPathOf };

function canConnect(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

export function createKataProxy(host: Host = linuxHost): Proxy {
  return {
    async start(pod, agentUrl) {
      const listen = join(pod.runDir, 'proxy.sock');
      const logPath = join(pod.runDir, 'proxy.log');
      const args = [...helperNodeArgs('proxy'), '--agent', socketPathOf(agentUrl), '--listen', listen];
      const { pid, exited } = await host.spawn(process.execPath, args, { logPath, cwd: REPO_ROOT });
      let gone = false;
      void exited.then(() => (gone = true));
      for (const started = Date.now(); Date.now() - started < READY_TIMEOUT_MS; ) {
        if (gone) break;
        if (await canConnect(listen)) {
          pod.log.info({ pid, listen }, 'kata proxy started');
          return { pid, url: `unix://${listen}`, direct: false };
        }
        await sleep(50);
      }
      await terminateHelper(pid, listen, undefined, host);
      const tail = readFileSync(logPath, 'utf8').trim().split('\n').slice(-5).join('\n');
      throw new EngineError('AGENT_FAILED', `kata proxy of pod ${pod.id} did not start${tail ? `:\n${tail}` : ''}`);
    },

    async stop(pod, handle) {
      await terminateHelper(handle.pid, socketPathOf(handle.url), undefined, host);
      pod.log.info({ pid: handle.pid }, 'kata proxy stopped');
    },
  };
}
