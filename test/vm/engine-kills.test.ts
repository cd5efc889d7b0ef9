// kill -9 of the engine's own process (the console server's, or a CLI's) while it runs RunPod on
// real QEMU, at each step kind a real boot has: the VM booting (QEMU up, its proxy starting beside it), the sandbox
// starting (the proxy up), the container being created (its rootfs bound into the pod's share). The
// kill point is found from the outside, by watching for our processes and mounts — the real host
// has no fault checkpoints.
// After each kill, a fresh engine on the same store must: answer status, leave after `doctor --fix`
// no process of ours without a live record and no record claiming a VM that is gone, and stop and
// delete the pod with nothing left. What each kill cost is written to
// test-results/reliability-engine-kills.json, rendered into docs/reliability.md by
// scripts/reliability-table.ts.
import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { scanOurProcesses, type OurProcessKind } from '../../server/engine/doctor/scan.js';
import { linuxHost } from '../../server/engine/host/linux.js';
import { runDirFor, toEngineError } from '../../server/engine/index.js';
import { testEngine } from '../helpers/engine.js';
import { BUSYBOX_ROOTFS, processesMentioning, qemuPod, removeAllPods, unownedProcesses } from '../helpers/vm.js';

export interface EngineKillOutcome {
  /** The step kind the engine was in when killed, named by the process that had just appeared. */
  step: string;
  /** Pod state/container states as the first status call of a new engine reports them. */
  reported: string;
  /** Finding kinds of `doctor --fix` for this pod (repaired ones marked ✓). */
  doctor: string[];
  /** The pod's state once doctor is done. */
  afterDoctor: string;
}

type Sign = OurProcessKind | 'rootfs mount';
const STEPS: { sign: Sign; step: string }[] = [
  { sign: 'qemu', step: 'VM booting (QEMU up, its proxy starting beside it)' },
  { sign: 'proxy', step: 'sandbox starting (proxy up)' },
  { sign: 'rootfs mount', step: "container being created (its rootfs bound into the pod's share)" },
];

const forever = { args: ['sh', '-c', 'while true; do sleep 1; done'], detach: true };
const outcomes: EngineKillOutcome[] = [];
const t = testEngine({ lockWaitMs: 120_000 });
const runRoot = path.join(t.dir, 'run');
// Inside the engine's dir, so the child engine (test/helpers/engine-call.ts) allows it too.
const rootFs = path.join(t.dir, 'rootfs');
cpSync(BUSYBOX_ROOTFS, rootFs, { recursive: true, verbatimSymlinks: true });

afterAll(async () => {
  mkdirSync('test-results', { recursive: true });
  writeFileSync('test-results/reliability-engine-kills.json', `${JSON.stringify(outcomes, null, 2)}\n`);
  await removeAllPods(t.vc);
  await t[Symbol.asyncDispose]();
});

async function seen(sign: Sign, runDir: string): Promise<boolean> {
  if (sign === 'rootfs mount') return readFileSync('/proc/self/mountinfo', 'utf8').includes(` ${runDir}/shared/c1/rootfs `);
  return (await scanOurProcesses(linuxHost, runRoot)).some((p) => p.kind === sign && p.runDir === runDir);
}

async function waitFor(sign: Sign, runDir: string, child: { exitCode: number | null }, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until && child.exitCode === null) {
    if (await seen(sign, runDir)) return;
    await sleep(50);
  }
  throw new Error(`no ${sign} for ${runDir} appeared while RunPod ran`);
}

/** Until doctor (without fix) reports the dead call's lock as stale; it was left by a SIGKILL, so it must. */
async function untilLockStale(podId: string): Promise<void> {
  const until = Date.now() + 15_000;
  while (!(await t.vc.doctor()).findings.some((f) => f.kind === 'staleLock' && f.podId === podId)) {
    if (Date.now() > until) throw new Error(`the lock of ${podId} never went stale after its holder was killed`);
    await sleep(200);
  }
}

/** Pod state/container states, or that no record exists (the kill came before CreatePod wrote it). */
async function stateText(podId: string): Promise<string> {
  try {
    const s = await t.vc.statusPod(podId);
    return `${s.state}/${s.containersStatus.map((c) => c.state).join(',') || '-'}`;
  } catch (err) {
    if (toEngineError(err).code === 'POD_NOT_FOUND') return 'no record (POD_NOT_FOUND)';
    throw err;
  }
}

describe('kill -9 of the engine process during RunPod on real QEMU', () => {
  for (const { sign, step } of STEPS) {
    it(`at "${step}": a new engine reports the truth, doctor leaves nothing unowned, the pod deletes with nothing left`, async () => {
      const podId = `ekill-${sign.replace(/\W+/g, '-')}`;
      const runDir = runDirFor(runRoot, podId);
      const config = qemuPod(podId, [{ id: 'c1', rootFs, cmd: forever }]);
      const child = execa('node', ['--import', 'tsx', 'test/helpers/engine-call.ts', t.dir, 'runPod', JSON.stringify(config)], { reject: false, env: { LOCK_WAIT_MS: '120000' } });
      await waitFor(sign, runDir, child, 180_000);
      child.kill('SIGKILL');
      const ended = await child;
      expect(ended.signal, `RunPod finished before the kill: ${ended.stdout}`).toBe('SIGKILL');

      // The dead call's pod lock looks held until it goes stale (2 s in test engines): doctor skips a
      // pod whose lock is live, since a create in flight looks just like a leak. Waiting a fixed 2.5 s
      // was a flake: proper-lockfile's first lock in a process sets its mtime up to 1 s ahead (its
      // precision probe), so a call killed within its first update interval leaves a lock that stays
      // live for up to 3 s. Wait for what doctor itself sees instead.
      await untilLockStale(podId);
      const reported = await stateText(podId);
      const report = await t.vc.doctor({ fix: true });
      const doctor = report.findings.filter((f) => f.podId === podId || f.subject.includes(runDir)).map((f) => `${f.kind}${f.kind === 'orphanProcess' ? ` (${f.subject.replace(/ pid \d+$/, '')})` : ''}${f.fixed ? ' ✓' : ''}`);
      const afterDoctor = await stateText(podId);
      outcomes.push({ step, reported, doctor, afterDoctor });

      // No process of ours without a live record; no live record without its VM.
      expect(await unownedProcesses(t.vc, runRoot)).toEqual([]);
      expect(report.findings.filter((f) => !f.fixed)).toEqual([]);

      if (!afterDoctor.startsWith('no record')) {
        if (!afterDoctor.startsWith('stopped')) await t.vc.stopPod(podId);
        await t.vc.deletePod(podId);
      }
      expect(await processesMentioning(runDir)).toEqual([]);
      expect(existsSync(runDir)).toBe(false);
      expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(runDir);
      expect((await t.vc.doctor()).findings).toEqual([]);
    }, 300_000);
  }
});
