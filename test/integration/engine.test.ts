// Engine behaviour beyond single preconditions: persistence, events, hooks, handles, and
// processes racing on one pod. Runs on the mock hypervisor and noop drivers with a real SQLite file.
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { mockPod, testEngine } from '../helpers/engine.js';

const callInChild = (dir: string, call: string, ...args: string[]) =>
  execa('npx', ['tsx', 'test/helpers/engine-call.ts', dir, call, ...args]).then((r) => JSON.parse(r.stdout) as { ok: boolean; code?: string; state?: string });

function script(dir: string, name: string, body: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('engine', () => {
  it('runs the upstream lifecycle and reports upstream states', async () => {
    await using t = testEngine();
    const pod = await t.vc.runPod(mockPod('demo', 2));
    expect(pod.state()).toBe('running');
    expect(pod.getAllContainers().map((c) => [c.id(), c.state(), c.getPid()])).toEqual([
      ['c1', 'running', 1000],
      ['c2', 'running', 1000],
    ]);
    expect((await t.vc.pausePod('demo')).getAllContainers().map((c) => c.state())).toEqual(['paused', 'paused']);
    expect((await t.vc.resumePod('demo')).state()).toBe('running');
    const entered = await t.vc.enterContainer('demo', 'c1', { args: ['echo', 'hi'] });
    expect(entered.process).toMatchObject({ pid: 1000 });
    expect(entered.process.token).not.toBe('c1');
    expect((await t.vc.stopContainer('demo', 'c2')).state()).toBe('stopped');
    expect((await t.vc.startContainer('demo', 'c2')).state()).toBe('running');
    expect((await t.vc.stopPod('demo')).state()).toBe('stopped');
    // Upstream could not restart a stopped pod (no VM); we boot it again.
    expect((await t.vc.startPod('demo')).getAllContainers().map((c) => c.state())).toEqual(['running', 'running']);
    await t.vc.stopPod('demo');
    await t.vc.deletePod('demo');
    expect(await t.vc.listPod()).toEqual([]);
  });

  it('records every call and state change as a pod event', async () => {
    await using t = testEngine();
    await t.vc.runPod(mockPod('p', 1));
    await t.vc.startPod('p').catch(() => {});
    const events = await t.vc.listPodEvents('p');
    expect(events.map((e) => [e.call, e.containerId, e.outcome, e.errorCode, e.fromState, e.toState])).toEqual([
      ['createPod', null, 'ok', null, null, 'ready'],
      ['createPod', 'c1', 'ok', null, null, 'ready'],
      ['startPod', null, 'ok', null, 'ready', 'running'],
      ['startPod', 'c1', 'ok', null, 'ready', 'running'],
      ['startPod', null, 'error', 'INVALID_STATE', null, null],
    ]);
    expect(events.every((e) => !Number.isNaN(Date.parse(e.time)))).toBe(true);
    expect((await t.vc.listPodEvents('p', { limit: 2 })).map((e) => e.id)).toEqual(events.slice(-2).map((e) => e.id));
    // Every commit, from any process, moves the generation that the console watches.
    const generation = await t.vc.generation();
    await t.vc.stopPod('p');
    expect(await t.open().generation()).toBe(generation + 1);
  });

  it('records adapter events (a terminal session) on the timeline', async () => {
    await using t = testEngine();
    await t.vc.runPod(mockPod('p', 1));
    await t.vc.recordPodEvent('p', { call: 'terminalSession', containerId: 'c1', message: 'terminal closed after 12 s, exit code 3' });
    expect((await t.vc.listPodEvents('p')).at(-1)).toMatchObject({ call: 'terminalSession', containerId: 'c1', outcome: 'ok', message: 'terminal closed after 12 s, exit code 3' });
    await expect(t.vc.recordPodEvent('p', { call: 'not a call', message: 'x' })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    await expect(t.vc.recordPodEvent('ghost', { call: 'terminalSession', message: 'x' })).rejects.toMatchObject({ code: 'POD_NOT_FOUND' });
  });

  it('keeps every record and config field across a restart', async () => {
    await using t = testEngine();
    const config = {
      ...mockPod('keep', 1),
      hostname: 'keeper',
      vmConfig: { vcpus: 2, memory: 300 },
      hypervisorConfig: { kernelParams: [{ key: 'quiet', value: '' }], debug: true },
      volumes: [{ mountTag: 'data', hostPath: path.join(t.dir, 'data') }],
      annotations: { team: 'infra' },
    };
    const created = await t.vc.runPod(config);
    await created.getAllContainers()[0]!.setPid(4242);
    await created.setAnnotations({ owner: 'ops' });
    const before = await t.vc.statusPod('keep');
    const reopened = t.open();
    expect(await reopened.statusPod('keep')).toEqual(before);
    const status = await reopened.statusPod('keep');
    expect(status.annotations).toEqual({ team: 'infra', owner: 'ops' });
    expect(status.containersStatus[0]?.pid).toBe(4242);
    expect(status.hypervisorConfig.kernelParams).toEqual([{ key: 'quiet', value: '' }]);
  });

  it('refuses kernel parameters the host sets itself, naming the field, and creates nothing', async () => {
    await using t = testEngine();
    for (const key of ['podvisor.hostname', 'podvisor.node_flags']) {
      const config = { ...mockPod('kp', 1), hypervisorConfig: { kernelParams: [{ key: 'quiet' }, { key, value: 'x' }] } };
      const err = await t.vc.createPod(config).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'INVALID_CONFIG', details: { issues: [{ path: ['hypervisorConfig', 'kernelParams', '1', 'key'], message: `"${key}" is set by the host and cannot be overridden` }] } });
    }
    expect(await t.vc.listPod()).toEqual([]);
  });

  it('runs hooks: a failing prestart hook aborts create and leaves nothing behind', async () => {
    await using t = testEngine();
    const fail = script(t.dir, 'fail.sh', 'echo nope >&2; exit 3');
    const err = await t.vc.createPod({ ...mockPod('h'), hooks: { preStartHooks: [{ path: fail }] } }).catch((e) => e);
    expect(err).toMatchObject({ code: 'HOOK_FAILED', details: { stderr: 'nope' } });
    expect(await t.vc.listPod()).toEqual([]);
    const slow = script(t.dir, 'slow.sh', 'sleep 5');
    const timedOut = await t.vc.createPod({ ...mockPod('h'), hooks: { preStartHooks: [{ path: slow, timeout: 1 }] } }).catch((e) => e);
    expect(timedOut.message).toContain('timed out after 1s');
  });

  it('passes hooks the OCI state on stdin and their env; post hooks failing only warn', async () => {
    await using t = testEngine();
    const out = path.join(t.dir, 'hook.out');
    const record = script(t.dir, 'record.sh', `cat > ${out}; printf '\\n%s\\n' "$GREETING" >> ${out}`);
    const fail = script(t.dir, 'fail.sh', 'exit 1');
    await t.vc.runPod({ ...mockPod('h'), hooks: { preStartHooks: [{ path: record, env: ['GREETING=hello'] }], postStartHooks: [{ path: fail }] } });
    const [state, greeting] = (await import('node:fs')).readFileSync(out, 'utf8').trim().split('\n');
    expect(JSON.parse(state!)).toMatchObject({ id: 'h', status: 'creating' });
    expect(greeting).toBe('hello');
    const started = (await t.vc.listPodEvents('h')).find((e) => e.call === 'startPod' && e.containerId === null);
    expect(started?.message).toContain('poststart hook');
    expect((await t.vc.statusPod('h')).state).toBe('running');
  });

  it('serialises two processes racing on one pod: one wins, the other gets a clean error', async () => {
    await using t = testEngine();
    const slow = script(t.dir, 'slow.sh', 'sleep 1');
    await t.vc.createPod({ ...mockPod('race'), hooks: { postStartHooks: [{ path: slow }] } });
    const results = await Promise.all([callInChild(t.dir, 'startPod', 'race'), callInChild(t.dir, 'startPod', 'race')]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toMatchObject({ code: 'INVALID_STATE' });
    const status = await t.vc.statusPod('race');
    expect(status.state).toBe('running');
    expect((await t.vc.listPodEvents('race')).filter((e) => e.call === 'startPod').map((e) => e.outcome).sort()).toEqual(['error', 'ok', 'ok']);
  });

  it('racing creates of one pod id: exactly one succeeds', async () => {
    await using t = testEngine();
    const config = JSON.stringify(mockPod('twin'));
    const results = await Promise.all([callInChild(t.dir, 'createPod', config), callInChild(t.dir, 'createPod', config)]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.find((r) => !r.ok)).toMatchObject({ code: 'POD_EXISTS' });
  });
});
