// The fault-injection tier on the mock driver set and a fake host (nothing real is touched): every
// step of every mutating call failed in turn, the two observe branches, and the calling process
// killed at a step (a child process with PODVISOR_FAULT). After each: a clear code, events that say
// so, records that claim only what exists, nothing left, and a pod that works again.
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { mockVmFile } from '../../server/engine/drivers/hypervisor/mock.js';
import { noopExitFile } from '../../server/engine/drivers/agent/noop.js';
import { createFakeHost } from '../../server/engine/host/fake.js';
import { injectedFailure } from '../../server/engine/host/faults.js';
import { runDirFor } from '../../server/engine/index.js';
import { testEngine } from '../helpers/engine.js';
import { callInChild, closeRecords, leftovers, recordsOf } from '../helpers/faults.js';
import { podConfig, runCall, SCENARIOS, useThenDelete } from '../helpers/fault-scenarios.js';

const faultEngine = () => {
  const fake = createFakeHost({ faults: '' });
  return { fake, t: testEngine({ host: fake }) };
};
const runDirOf = (t: { dir: string }, id: string) => runDirFor(path.join(t.dir, 'run'), id);

describe('a failure at any step is rolled back', () => {
  for (const sc of SCENARIOS) {
    it(sc.name, async () => {
      const { fake, t } = faultEngine();
      await using _ = t;
      await sc.setup(t.vc, 'trace');
      const from = fake.steps.length;
      await runCall(t.vc, sc, 'trace');
      expect(fake.steps.slice(from)).toEqual(sc.steps);
      await useThenDelete(t.vc, 'trace');

      for (const [i, step] of sc.steps.entries()) {
        const id = `p${i}`;
        await sc.setup(t.vc, id);
        fake.faults.set(step, 'fail');
        const err = await runCall(t.vc, sc, id).then(() => null, (e: unknown) => e);
        expect(fake.faults.has(step), `${step} was reached`).toBe(false);
        const injected = `injected fault at ${step}`;
        const events = await t.vc.listPodEvents(id).catch(() => null);
        // The call's own event: others of the same commit tell what else moved.
        const last = events?.filter((e) => e.call === sc.eventCall && e.containerId === (sc.container ?? null)).at(-1);
        if (sc.tolerated?.test(step)) {
          expect(err, step).toBeNull();
          if (last) expect(last).toMatchObject({ outcome: 'ok', message: expect.stringContaining(injected) });
        } else {
          const { code } = injectedFailure(step);
          expect(err, step).toMatchObject({ code, message: expect.stringContaining(injected) });
          // No record at all, or one whose timeline shows the failure.
          if (events) expect(last, step).toMatchObject({ outcome: 'error', errorCode: code, message: expect.stringContaining(injected) });
          else expect(await recordsOf(t).getPod(id)).toBeNull();
        }
        await t.vc.statusPod(id).catch(() => null); // what any reader does: a dead VM is noticed here
        expect(await leftovers(t), `after ${step}`).toEqual([]);
        if (sc.retry && !sc.tolerated?.test(step)) await runCall(t.vc, sc, id);
        await useThenDelete(t.vc, id);
        expect(await leftovers(t), `after ${step}, used and deleted`).toEqual([]);
      }
      await closeRecords(t);
    });
  }
});

describe('observe', () => {
  it('a VM that died: status says stopped, the teardown ran, the pod boots again', async () => {
    const { fake, t } = faultEngine();
    await using _ = t;
    await t.vc.runPod(podConfig('p'));
    rmSync(mockVmFile(runDirOf(t, 'p'))); // as kill -9 of QEMU
    fake.faults.set('network.remove', 'fail'); // a teardown step failing too does not keep the pod "running"
    const from = fake.steps.length;
    const status = await t.vc.statusPod('p');
    expect([status.state, ...status.containersStatus.map((c) => c.state)]).toEqual(['stopped', 'stopped', 'stopped']);
    expect(fake.steps.slice(from)).toEqual(expect.arrayContaining(['hypervisor.stopVm', 'agent.stopSandbox', 'network.remove']));
    const observed = (await t.vc.listPodEvents('p')).filter((e) => e.call === 'observe' && e.containerId === null);
    expect(observed).toMatchObject([{ toState: 'stopped', message: expect.stringContaining('the VM is gone: pod stopped') }]);
    expect(await leftovers(t)).toEqual([]);
    await useThenDelete(t.vc, 'p');
    expect(await leftovers(t)).toEqual([]);
    await closeRecords(t);
  });

  it('a container whose init exited: stopped with its exit code, and it starts again', async () => {
    const { t } = faultEngine();
    await using _ = t;
    await t.vc.runPod(podConfig('p'));
    writeFileSync(noopExitFile(runDirOf(t, 'p'), 'c1'), '3');
    expect(await t.vc.statusContainer('p', 'c1')).toMatchObject({ state: 'stopped', exitCode: 3 });
    expect((await t.vc.statusPod('p')).containersStatus.map((c) => [c.id, c.state])).toEqual([['c1', 'stopped'], ['c2', 'running']]);
    expect((await t.vc.listPodEvents('p')).at(-1)).toMatchObject({ call: 'observe', containerId: 'c1', toState: 'stopped' });
    expect((await t.vc.startContainer('p', 'c1')).state()).toBe('running');
    expect(await t.vc.statusContainer('p', 'c1')).toMatchObject({ state: 'running', exitCode: null });
    await useThenDelete(t.vc, 'p');
    await closeRecords(t);
  });
});

/** Where a kill is most telling: mid-boot, after the work but before the commit, mid-teardown. */
const DEATHS: [scenario: string, step: string][] = [
  ['createPod', 'agent.startSandbox'],
  ['createPod', 'store.commit:createPod'],
  ['runPod', 'agent.startContainer:c2'],
  ['startPod (stopped: boots again)', 'agent.createContainer:c1'],
  ['stopPod', 'hypervisor.stopVm'],
  ['deletePod (ready)', 'network.remove'],
  ['createContainer', 'store.commit:createContainer'],
  ['startContainer (ready)', 'agent.startContainer:c9'],
  ['enterContainer', 'agent.exec:c1'],
];

// Nine cold `node --import tsx` children at once on two cores: seconds each under load, hence its own timeout.
it('the calling process killed at a step: status tells the truth, delete leaves nothing', { timeout: 120_000 }, async () => {
  const { t } = faultEngine();
  await using _ = t;
  const cases = DEATHS.map(([name, step], i) => ({ sc: SCENARIOS.find((s) => s.name === name)!, step, id: `d${i}` }));
  for (const { sc, id } of cases) await sc.setup(t.vc, id);
  const outcomes = await Promise.all(cases.map(({ sc, step, id }) => callInChild(t, `${step}:die`, sc.call, ...sc.args(id))));
  expect(outcomes.map((o, i) => [cases[i]!.step, o.signal])).toEqual(cases.map((c) => [c.step, 'SIGKILL']));

  await sleep(2_200); // the dead processes' locks go stale (lockStaleMs): observe may take them over
  for (const { id } of cases) await t.vc.statusPod(id).catch((err: { code?: string }) => expect(err.code).toBe('POD_NOT_FOUND'));
  const untrue = (await leftovers(t)).filter((p) => p.includes('its VM is gone'));
  expect(untrue, 'records that claim a VM that is gone').toEqual([]);

  for (const { id } of cases) {
    if (!(await recordsOf(t).getPod(id))) {
      // A create that died left its run dir (and mock VM) behind: deleting the pod that never was cleans it.
      await expect(t.vc.deletePod(id)).rejects.toMatchObject({ code: 'POD_NOT_FOUND' });
      expect(await leftovers(t)).not.toContainEqual(expect.stringContaining(`run dir ${id} `));
    }
    await useThenDelete(t.vc, id);
  }
  expect(await leftovers(t)).toEqual([]);
  await closeRecords(t);
});
