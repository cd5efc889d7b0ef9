// ccProxy: ONE proxy process for every hyperstart pod under the engine's run root, as cc-proxy
// (server/host-procs/cc-proxy/). start() makes sure it runs (started on first use, detached, so
// it outlives the CLI and the pods it serves) and hands back its URL; the hyperstart agent driver
// then registers its VM with it. stop() leaves it running for the other pods. A proxy killed while
// pods run is started again by revive(): it reloads the VMs and tokens it had from its state file.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { helperNodeArgs, REPO_ROOT, terminateHelper } from '../../../guest/helper-process.js';
import { EngineError } from '../../errors.js';
import { linuxHost } from '../../host/linux.js';
import type { Host } from '../../host/types.js';
import { canConnect, type Proxy, type ProxyHandle } from './types.js';

const READY_TIMEOUT_MS = 30_000;
export const CC_PROXY_MARKER = '--cc-proxy';

export const ccProxySocket = (runRoot: string) => join(runRoot, 'cc-proxy.sock');

/** The argv of the proxy of `runRoot` (pure: the doctor and tests match on it). */
export function ccProxyArgs(runRoot: string): string[] {
  return [...helperNodeArgs('proxy'), CC_PROXY_MARKER, '--listen', ccProxySocket(runRoot)];
}

/** Live ccProxy processes of `runRoot`, by their argv. */
export async function ccProxiesOf(host: Host, runRoot: string): Promise<number[]> {
  const { readdir } = await import('node:fs/promises');
  const listen = ccProxySocket(runRoot);
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const argv = await host.cmdline(Number(entry));
    if (argv?.includes(CC_PROXY_MARKER) && argv[argv.indexOf('--listen') + 1] === listen) pids.push(Number(entry));
  }
  return pids;
}

/** Ends the run root's ccProxy (tests, an operator): it keeps its state file, so a new one resumes. */
export async function stopCcProxy(runRoot: string, host: Host = linuxHost): Promise<void> {
  for (const pid of await ccProxiesOf(host, runRoot)) await terminateHelper(pid, CC_PROXY_MARKER, undefined, host);
}

export function createCcProxy(runRoot: string, host: Host = linuxHost): Proxy {
  const listen = ccProxySocket(runRoot);

  /** Starts the proxy unless one answers already; two engines racing: the loser's proxy exits, the winner's serves both. */
  async function ensure(): Promise<number> {
    if (await canConnect(listen)) return (await ccProxiesOf(host, runRoot))[0] ?? 0;
    const logPath = join(runRoot, 'cc-proxy.log');
    const { pid, exited } = await host.spawn(process.execPath, ccProxyArgs(runRoot), { logPath, cwd: REPO_ROOT });
    let gone = false;
    void exited.then(() => (gone = true));
    for (const started = Date.now(); Date.now() - started < READY_TIMEOUT_MS; await sleep(50)) {
      if (await canConnect(listen)) return gone ? ((await ccProxiesOf(host, runRoot))[0] ?? 0) : pid;
      if (gone) break;
    }
    if (await canConnect(listen)) return (await ccProxiesOf(host, runRoot))[0] ?? 0;
    await terminateHelper(pid, CC_PROXY_MARKER, undefined, host);
    const tail = readFileSync(logPath, 'utf8').trim().split('\n').slice(-5).join('\n');
    throw new EngineError('AGENT_FAILED', `the ccProxy at ${listen} did not start${tail ? `:\n${tail}` : ''}`);
  }

  return {
    direct: false,
    async start(pod, agentUrl): Promise<ProxyHandle> {
      const pid = await ensure();
      pod.log.info({ pid, listen }, 'ccProxy serving');
      return { pid, url: `unix://${listen}`, direct: false, agentUrl };
    },
    // Host-wide: other pods use it. The agent driver unregisters this pod's VM.
    async stop() {},
    async revive(pod) {
      if (await canConnect(listen)) return true;
      pod.log.warn({ listen }, 'the ccProxy is gone: starting a new one');
      await ensure();
      return true;
    },
  };
}
