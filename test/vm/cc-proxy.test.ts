// The host-wide ccProxy on real VMs: two hyperstart pods served by ONE proxy process at once;
// then the proxy killed with SIGKILL while both run: the next call starts a new one, which resumes
// both VMs and their tokens from its state file, the shims rebind to it, and no pod is lost.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ccProxiesOf, ccProxySocket, stopCcProxy } from '../../server/engine/drivers/proxy/cc.js';
import { canConnect } from '../../server/engine/drivers/proxy/types.js';
import { linuxHost } from '../../server/engine/host/linux.js';
import type { CmdInput } from '../../server/engine/index.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { collect, qemuPod, rootfsCopy } from '../helpers/vm.js';

const forever = ['sh', '-c', 'while true; do sleep 1; done'];
const HYPER = { agentType: 'hyperstart', proxyType: 'ccProxy', shimType: 'ccShim' } as const;
const PODS = ['cc-a', 'cc-b'];
/**
 * Until the whole process has exited. Its argv alone is not enough: when SIGKILL ends a Node.js
 * process its main thread turns zombie first while the other threads are still exiting, and the
 * proxy's listening socket stays open (accepting, then resetting, a connection) until the last one
 * has gone — which the host seam's `exiting` tells. Checking the argv let an exec race the dying proxy.
 */
const alive = async (pid: number) => pid > 0 && (((await linuxHost.cmdline(pid)) ?? []).length > 0 || (await linuxHost.exiting(pid)));

describe('one ccProxy for two hyperstart pods', () => {
  let t: TestEngine;
  let runRoot: string;
  const rootfs = rootfsCopy();
  const exec = async (podId: string, cmd: CmdInput) => {
    const { process } = await t.vc.enterContainer(podId, 'c1', { detach: true, ...cmd });
    return collect(await t.vc.attachProcess(podId, 'c1', process.token));
  };
  const shimOf = async (podId: string) => (await t.vc.statusContainer(podId, 'c1')).pid;

  beforeAll(async () => {
    t = testEngine({ lockWaitMs: 120_000, hostPathRoots: [path.dirname(rootfs)] });
    runRoot = path.join(t.dir, 'run');
    for (const id of PODS) {
      await t.vc.createPod(qemuPod(id, [{ id: 'c1', rootFs: rootfs, cmd: { args: forever, detach: true } }], HYPER));
      await t.vc.startPod(id);
    }
  }, 300_000);

  afterAll(async () => {
    for (const id of PODS) {
      await t.vc.stopPod(id).catch(() => {});
      await t.vc.deletePod(id).catch(() => {});
    }
    await stopCcProxy(runRoot);
    await t[Symbol.asyncDispose]();
    rmSync(path.dirname(rootfs), { recursive: true, force: true });
  }, 120_000);

  it('serves both pods from one proxy process', async () => {
    expect(await ccProxiesOf(linuxHost, runRoot)).toHaveLength(1);
    expect(await exec('cc-a', { args: ['sh', '-c', 'echo a; exit 3'] })).toEqual({ output: 'a\n', exitCode: 3 });
    expect(await exec('cc-b', { args: ['sh', '-c', 'echo b >&2; exit 4'] })).toEqual({ output: 'b\n', exitCode: 4 });
  });

  it('survives a kill -9 of the proxy: the next call restores it and both pods carry on', async () => {
    const [before] = await ccProxiesOf(linuxHost, runRoot);
    const shims = await Promise.all(PODS.map(shimOf));
    process.kill(before!, 'SIGKILL');
    // Gone means its socket refuses too: a dying process's cmdline empties (its memory goes) before
    // its files close, and a call in that window reached the dying proxy and lost its connection.
    while ((await alive(before!)) || (await canConnect(ccProxySocket(runRoot)))) await new Promise((r) => setTimeout(r, 100));

    expect(await exec('cc-a', { args: ['echo', 'back'] })).toEqual({ output: 'back\n', exitCode: 0 });
    const after = await ccProxiesOf(linuxHost, runRoot);
    expect(after).toHaveLength(1);
    expect(after[0]).not.toBe(before);
    expect(await exec('cc-b', { args: ['echo', 'also'] })).toEqual({ output: 'also\n', exitCode: 0 });
    for (const id of PODS) expect((await t.vc.statusPod(id)).containersStatus.map((c) => c.state)).toEqual(['running']);
    // The containers' shims lived through it, bound again to the new proxy.
    expect(await Promise.all(PODS.map(shimOf))).toEqual(shims);
    for (const pid of shims) expect(await alive(pid)).toBe(true);
  });

  it('still delivers an exit to a shim that rebound: killing c1 of one pod ends its shim only', async () => {
    const [shimA, shimB] = await Promise.all(PODS.map(shimOf));
    await t.vc.killContainer('cc-b', 'c1', 'SIGKILL', true);
    while (await alive(shimB!)) await new Promise((r) => setTimeout(r, 250));
    let state = (await t.vc.statusContainer('cc-b', 'c1')).state;
    while (state === 'running') {
      await new Promise((r) => setTimeout(r, 250));
      state = (await t.vc.statusContainer('cc-b', 'c1')).state;
    }
    expect(state).toBe('stopped');
    expect(await alive(shimA!)).toBe(true);
    expect((await t.vc.statusContainer('cc-a', 'c1')).state).toBe('running');
  });
});
