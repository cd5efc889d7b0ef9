// kataProxy: one detached proxy process per pod (it survives the CLI), owning the connection to
// the guest agent and serving every host client on <runDir>/proxy.sock.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { helperNodeArgs, REPO_ROOT, terminateHelper } from '../../../guest/helper-process.js';
import { scanOurProcesses } from '../../doctor/scan.js';
import { EngineError } from '../../errors.js';
import { linuxHost } from '../../host/linux.js';
import type { Host } from '../../host/types.js';
import type { PodContext } from '../types.js';
import { canConnect, socketPathOf, type Proxy, type ProxyHandle } from './types.js';

const READY_TIMEOUT_MS = 15_000;

/** Kept here for callers from before noProxy; the helper lives with the proxy types. */
export { socketPathOf };

export function createKataProxy(host: Host = linuxHost): Proxy {
  /** Live proxy processes of this pod, found by their `--listen` marker (a revived one has a PID no record holds). */
  const proxiesOf = async (pod: PodContext) =>
    (await scanOurProcesses(host, dirname(pod.runDir))).filter((p) => p.kind === 'proxy' && p.runDir === pod.runDir);

  async function start(pod: PodContext, agentUrl: string): Promise<ProxyHandle> {
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
        return { pid, url: `unix://${listen}`, direct: false, agentUrl };
      }
      await sleep(50);
    }
    await terminateHelper(pid, listen, undefined, host);
    const tail = readFileSync(logPath, 'utf8').trim().split('\n').slice(-5).join('\n');
    throw new EngineError('AGENT_FAILED', `kata proxy of pod ${pod.id} did not start${tail ? `:\n${tail}` : ''}`);
  }

  return {
    direct: false,
    start,

    async stop(pod, handle) {
      const listen = socketPathOf(handle.url);
      await terminateHelper(handle.pid, listen, undefined, host);
      for (const revived of await proxiesOf(pod)) await terminateHelper(revived.pid, listen, undefined, host);
      pod.log.info({ pid: handle.pid }, 'kata proxy stopped');
    },

    // The proxy died while the VM lives (kill -9, the OOM killer): a new one on the same socket
    // re-opens the agent's serial port, and the agent serves the new session. Processes whose shims
    // died with the old proxy keep running in the guest.
    async revive(pod, handle) {
      if (!handle.agentUrl) return false; // recorded before proxies kept their agent URL
      if ((await proxiesOf(pod)).length) return true; // alive (or revived by a concurrent call): retry
      pod.log.warn({ pid: handle.pid }, 'kata proxy is gone while its VM lives: starting a new one');
      await start(pod, handle.agentUrl);
      return true;
    },
  };
}
