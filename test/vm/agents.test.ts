// One VM lifecycle per allowed agent × proxy × shim combination on QEMU, through the engine API:
// create, start, enter with and without a TTY, exit codes, resize, kill one and all, ps json and
// table, pause, resume, stop, delete, and nothing of the pod left on the host. The combinations
// come from the registry's table, so a newly allowed one is covered without editing this file.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CC_PROXY_MARKER, stopCcProxy } from '../../server/engine/drivers/proxy/cc.js';
import { checkDriverCombination } from '../../server/engine/drivers/registry.js';
import type { CmdInput } from '../../server/engine/index.js';
import { AgentTypeSchema, PodConfigSchema, ProxyTypeSchema, ShimTypeSchema } from '../../server/engine/types.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { collect, processesMentioning, qemuPod, rootfsCopy } from '../helpers/vm.js';

const forever = ['sh', '-c', 'while true; do sleep 1; done'];

/** Every agent × proxy × shim the table allows on QEMU, bar noop (no guest agent: the mock tier's). */
function allowedOnQemu() {
  const combos: { agentType: string; proxyType: string; shimType: string }[] = [];
  for (const agentType of AgentTypeSchema.options.filter((a) => a !== 'noop'))
    for (const proxyType of ProxyTypeSchema.options)
      for (const shimType of ShimTypeSchema.options) {
        try {
          checkDriverCombination(PodConfigSchema.parse({ id: 'x', hypervisorType: 'qemu', agentType, proxyType, shimType }));
          combos.push({ agentType, proxyType, shimType });
        } catch {
          // refused (INVALID_CONFIG) or not implemented (NOT_SUPPORTED): not a combination to run
        }
      }
  return combos;
}

const COMBOS = allowedOnQemu();

it('runs at least kata and hyperstart, each with its proxy and with noProxy', () => {
  expect(COMBOS).toEqual(expect.arrayContaining([
    { agentType: 'kata', proxyType: 'kataProxy', shimType: 'kataShim' },
    { agentType: 'kata', proxyType: 'noProxy', shimType: 'kataShim' },
    { agentType: 'hyperstart', proxyType: 'ccProxy', shimType: 'ccShim' },
    { agentType: 'hyperstart', proxyType: 'noProxy', shimType: 'ccShim' },
  ]));
});

const alive = (pid: number) => pid > 0 && existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');

describe.each(COMBOS)('qemu + $agentType + $proxyType + $shimType', ({ agentType, proxyType, shimType }) => {
  const podId = `ag-${agentType.slice(0, 4)}-${proxyType}`.toLowerCase();
  let t: TestEngine;
  const rootfs = rootfsCopy();
  const exec = async (containerId: string, cmd: CmdInput) => {
    const { process } = await t.vc.enterContainer(podId, containerId, { detach: true, ...cmd });
    return collect(await t.vc.attachProcess(podId, containerId, process.token));
  };

  beforeAll(async () => {
    t = testEngine({ lockWaitMs: 120_000, hostPathRoots: [path.dirname(rootfs)] });
    await t.vc.createPod(
      qemuPod(podId, [
        { id: 'c1', rootFs: rootfs, cmd: { args: forever, detach: true } },
        { id: 'c2', rootFs: rootfs, cmd: { args: forever, detach: true } },
      ], { agentType, proxyType, shimType } as never),
    );
    await t.vc.startPod(podId);
  }, 240_000);

  afterAll(async () => {
    await t.vc.stopPod(podId).catch(() => {});
    await t.vc.deletePod(podId).catch(() => {});
    // The ccProxy is host-wide and outlives the pods it serves: this engine's goes with its run root.
    await stopCcProxy(path.join(t.dir, 'run'));
    await t[Symbol.asyncDispose]();
    rmSync(path.dirname(rootfs), { recursive: true, force: true });
  }, 60_000);

  it('runs both containers, each PID a live host shim', async () => {
    const status = await t.vc.statusPod(podId);
    expect(status.state).toBe('running');
    expect(status.containersStatus.map((c) => [c.id, c.state])).toEqual([['c1', 'running'], ['c2', 'running']]);
    for (const c of status.containersStatus) expect(alive(c.pid)).toBe(true);
    // noProxy: no proxy process of this engine; hyperstart's shims then read the stream port's file.
    if (proxyType === 'noProxy') {
      expect((await processesMentioning(t.dir)).filter((l) => l.includes('--listen'))).toEqual([]);
      const direct = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('--direct');
      if (agentType === 'hyperstart') for (const c of status.containersStatus) expect(direct(c.pid)).toBe(true);
    }
  });

  it('enters without a TTY: stdout, stderr and the exit code', async () => {
    expect(await exec('c1', { args: ['sh', '-c', 'echo out; echo err >&2; exit 42'] })).toEqual({ output: 'out\nerr\n', exitCode: 42 });
  });

  it('enters with a TTY of the size it is resized to', async () => {
    const { process } = await t.vc.enterContainer(podId, 'c1', { args: ['sh'], interactive: true, console: '/dev/console', detach: true });
    const io = await t.vc.attachProcess(podId, 'c1', process.token);
    let screen = '';
    io.stdout.on('data', (d: Buffer) => (screen += d.toString()));
    await io.resize(33, 101);
    await io.writeStdin('stty size; tty; exit 5\n');
    expect(await io.wait()).toEqual({ exitCode: 5 });
    io.close();
    expect(screen).toContain('33 101');
    expect(screen).toMatch(/\/dev\/pts\/\d+/);
  });

  it('lists processes as json and as a table', async () => {
    const json = JSON.parse(await t.vc.processListContainer(podId, 'c1', { format: 'json', args: [] })) as Record<string, string>[];
    expect(json.some((p) => Object.values(p).some((v) => v.includes('while true')))).toBe(true);
    const table = await t.vc.processListContainer(podId, 'c1', { format: 'table', args: ['-o', 'pid,args'] });
    expect(table.split('\n')[0]).toMatch(/PID\s+COMMAND/);
    expect(table).toContain('while true');
  });

  it('pauses and resumes the pod, then still runs processes', async () => {
    await t.vc.pausePod(podId);
    expect((await t.vc.statusPod(podId)).containersStatus.map((c) => c.state)).toEqual(['paused', 'paused']);
    await t.vc.resumePod(podId);
    expect((await exec('c2', { args: ['echo', 'awake'] })).output).toBe('awake\n');
  });

  it('kills one container: only it stops, and its shim exits', async () => {
    const shim = (await t.vc.statusContainer(podId, 'c2')).pid;
    await t.vc.killContainer(podId, 'c2', 'SIGKILL', false);
    let state = (await t.vc.statusContainer(podId, 'c2')).state;
    for (let i = 0; i < 80 && state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 250));
      state = (await t.vc.statusContainer(podId, 'c2')).state;
    }
    expect(state).toBe('stopped');
    for (let i = 0; i < 40 && alive(shim); i++) await new Promise((r) => setTimeout(r, 250));
    expect(alive(shim)).toBe(false);
    // Without a proxy, hyperstart's shim leaves the code it read for status probes (no rescan of the stream file).
    if (agentType === 'hyperstart' && proxyType === 'noProxy') expect(readdirSync(path.join(t.dir, 'run', podId, 'sh.hyper.channel.1.out.exits')).map((f) => readFileSync(path.join(t.dir, 'run', podId, 'sh.hyper.channel.1.out.exits', f), 'utf8'))).toContain('137');
    expect((await t.vc.statusContainer(podId, 'c1')).state).toBe('running');
  });

  it('kills all processes of a container, execs included', async () => {
    const { process } = await t.vc.enterContainer(podId, 'c1', { args: ['sleep', '1000'], detach: true });
    const io = await t.vc.attachProcess(podId, 'c1', process.token);
    await t.vc.killContainer(podId, 'c1', 'SIGKILL', true);
    expect((await io.wait()).exitCode).toBe(137);
    io.close();
  });

  it('stops and deletes the pod, leaving nothing behind', async () => {
    const shims = (await t.vc.statusPod(podId)).containersStatus.map((c) => c.pid);
    await t.vc.stopPod(podId);
    const events = (await t.vc.listPodEvents(podId)).map((e) => `${e.call} ${e.containerId ?? ''}: ${e.message}`);
    await t.vc.deletePod(podId);
    for (const needle of [podId, t.dir]) {
      // The host-wide ccProxy stays for other pods (stopped in afterAll); nothing of this pod may.
      const left = (await processesMentioning(needle)).filter((l) => !l.includes(CC_PROXY_MARKER));
      expect(left, [...left, ...events].join('\n')).toEqual([]);
    }
    for (const pid of shims) expect(alive(pid)).toBe(false);
    expect(existsSync(path.join(t.dir, 'run', podId))).toBe(false);
  });
});
