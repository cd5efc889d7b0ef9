// listPodSummaries and the pod list's overview built on it: each pod's recorded config and when it
// last entered running, in the same number of store reads for 3 pods as for 80 (a store wrapper
// counts the reads), and the overview's columns as the pod list shows them.
import path from 'node:path';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createCaller } from '../../server/api/root.js';
import { createEngine, type VC } from '../../server/engine/index.js';
import { openSqliteStore } from '../../server/engine/store/prisma-store.js';
import type { Store } from '../../server/engine/store/types.js';
import { principalOf, testConsole } from '../helpers/console.js';
import { mockPod, testEngine, testHostPathRoots } from '../helpers/engine.js';

/** The store with every call counted, so a test sees how many reads an engine call makes. */
function counting(store: Store): { store: Store; calls: string[] } {
  const calls: string[] = [];
  const wrapped = new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(key));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store: wrapped, calls };
}

/** When the pod last moved to running, read the slow way: from its whole timeline. */
async function startedAt(vc: VC, podId: string): Promise<string | null> {
  const events = await vc.listPodEvents(podId, { limit: 10_000 });
  return events.filter((e) => e.containerId === null && e.toState === 'running').at(-1)?.time ?? null;
}

describe('listPodSummaries', () => {
  it('gives every pod its recorded config and last start in a fixed number of store reads', async () => {
    await using t = testEngine();
    const { store, calls } = counting(openSqliteStore(`file:${path.join(t.dir, 'podvisor.db')}`));
    const vc = createEngine({ store, runRoot: path.join(t.dir, 'run'), lockDir: path.join(t.dir, 'locks'), log: pino({ level: 'silent' }), hostPathRoots: testHostPathRoots(t.dir) });
    const readsFor = async () => {
      calls.length = 0;
      const summaries = await vc.listPodSummaries();
      return { summaries, reads: [...calls].sort() };
    };

    for (let i = 0; i < 3; i++) await vc.createPod({ ...mockPod(`p${i}`, 1), vmConfig: { vcpus: i + 1, memory: 64 * (i + 1) } });
    const few = await readsFor();
    for (let i = 3; i < 80; i++) await vc.createPod(mockPod(`p${i}`, i % 3));
    // Started, stopped, started again: the last start counts. A container's start never does.
    for (let i = 0; i < 80; i += 4) await vc.startPod(`p${i}`);
    for (let i = 0; i < 80; i += 8) {
      await vc.stopPod(`p${i}`);
      await vc.startPod(`p${i}`);
    }
    await vc.stopContainer('p4', 'c1');
    await vc.startContainer('p4', 'c1');
    const many = await readsFor();

    expect(many.reads).toEqual(few.reads);
    expect(many.reads.length).toBeLessThanOrEqual(2);
    expect(many.summaries.map((s) => s.id)).toEqual(Array.from({ length: 80 }, (_, i) => `p${i}`));
    for (const s of many.summaries) {
      const i = Number(s.id.slice(1));
      expect(s.state).toBe(i % 4 === 0 ? 'running' : 'ready');
      expect(s.runningSince).toBe(await startedAt(vc, s.id));
      expect(s.runningSince === null).toBe(i % 4 !== 0);
    }
    expect(many.summaries.slice(0, 3).map((s) => s.config.vmConfig)).toEqual([1, 2, 3].map((n) => expect.objectContaining({ vcpus: n, memory: 64 * n })));
    await vc.close();
  });
});

describe('system.podOverview', () => {
  it('keeps the columns the pod list shows: resources (0 shown as the default), drivers, uptime start', async () => {
    await using c = await testConsole();
    await c.t.vc.runPod({ ...mockPod('up', 1), vmConfig: { vcpus: 2, memory: 0 }, hypervisorConfig: { defaultMemSz: 96 } });
    await c.t.vc.createPod(mockPod('idle', 0));
    const overview = await createCaller(c.contextAs(principalOf('viewer'))).system.podOverview();
    const idleCreated = (await c.t.vc.listPodEvents('idle'))[0]!.time;
    expect(overview).toEqual([
      { id: 'up', vcpus: 2, memoryMiB: 96, proxy: 'noopProxy', shim: 'noopShim', network: 'noop', since: await startedAt(c.t.vc, 'up') },
      { id: 'idle', vcpus: 0, memoryMiB: 0, proxy: 'noopProxy', shim: 'noopShim', network: 'noop', since: expect.any(String) },
    ]);
    const idle = overview[1];
    // Never started: counted from its creation, which its first event records in the same transaction.
    expect(Math.abs(Date.parse(idle!.since!) - Date.parse(idleCreated))).toBeLessThan(1_000);
  });
});
