// kill -9 of each host process a running pod has (QEMU, the proxy, a container's shim, virtiofsd),
// and of the agent inside the guest (typed into the VM's debug console), one fresh pod per kill. A
// killed proxy is restarted by the next call. What must hold every time: the next status call
// answers, `doctor --fix` leaves no process of ours without a record, and the pod can be stopped and deleted with nothing
// left. What each kill costs (the state reported, whether exec still works, what doctor found) is
// observed, not assumed, and written to test-results/reliability-kills.json, from which
// `npx tsx scripts/reliability-table.ts` renders the table in docs/reliability.md.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanOurProcesses, type OurProcessKind } from '../../server/engine/doctor/scan.js';
import { linuxHost } from '../../server/engine/host/linux.js';
import { runDirFor, toEngineError } from '../../server/engine/index.js';
import { testEngine } from '../helpers/engine.js';
import { processesMentioning, qemuPod, removeAllPods, rootfsCopy, unownedProcesses } from '../helpers/vm.js';

export interface KillOutcome {
  killed: OurProcessKind | 'agent';
  /** Pod state, then container state, as the first status call after the kill reports them. */
  reported: string;
  /** `true` through EnterContainer right after: "ok" or the error code. */
  execAfter: string;
  /** Finding kinds of `doctor --fix` (repaired ones marked ✓). */
  doctor: string[];
  /** Pod state after doctor, and whether a second exec worked then. */
  afterDoctor: string;
}

const forever = { args: ['sh', '-c', 'while true; do sleep 1; done'], detach: true };
const outcomes: KillOutcome[] = [];
const rootFs = rootfsCopy();
const t = testEngine({ lockWaitMs: 120_000, hostPathRoots: [path.dirname(rootFs)] });
const runRoot = path.join(t.dir, 'run');

async function execTrue(podId: string): Promise<string> {
  try {
    await t.vc.enterContainer(podId, 'c1', { args: ['true'], detach: true });
    return 'ok';
  } catch (err) {
    return toEngineError(err).code;
  }
}

async function statusText(podId: string): Promise<string> {
  const s = await t.vc.statusPod(podId);
  return `${s.state}/${s.containersStatus.map((c) => c.state).join(',')}`;
}

afterAll(async () => {
  mkdirSync('test-results', { recursive: true });
  writeFileSync('test-results/reliability-kills.json', `${JSON.stringify(outcomes, null, 2)}\n`);
  await removeAllPods(t.vc);
  await t[Symbol.asyncDispose]();
});

/** What the kill cost, then the invariants: nothing of ours unowned after doctor; stop and delete leave nothing. */
async function observeAndClean(kind: KillOutcome['killed'], podId: string) {
  const runDir = runDirFor(runRoot, podId);
  const reported = await statusText(podId);
  const execAfter = await execTrue(podId);
  const report = await t.vc.doctor({ fix: true });
  const doctor = report.findings.filter((f) => f.podId === podId || f.subject.includes(podId)).map((f) => `${f.kind}${f.fixed ? ' ✓' : ''}`);
  const state = await statusText(podId);
  const afterDoctor = `${state}, exec ${await execTrue(podId)}`;
  outcomes.push({ killed: kind, reported, execAfter, doctor, afterDoctor });
  // A dead proxy is restarted by the next call (proxy.revive): the pod stays controllable.
  if (kind === 'proxy') expect([reported, execAfter]).toEqual(['running/running', 'ok']);
  // The guest's init powers the VM off when its agent dies (a new agent would know no container).
  if (kind === 'agent') expect([reported, execAfter]).toEqual(['stopped/stopped', 'INVALID_STATE']);
  // A dead virtiofsd cannot be replaced under a running QEMU: the VM is stopped, and the timeline says why.
  if (kind === 'virtiofsd') {
    expect([reported, execAfter]).toEqual(['stopped/stopped', 'INVALID_STATE']);
    expect((await t.vc.listPodEvents(podId)).map((e) => e.message).join('\n')).toMatch(/virtiofsd of share .* is gone and QEMU cannot reconnect the share/);
  }

  // Every process of ours that is left belongs to a pod record that is not stopped.
  expect(await unownedProcesses(t.vc, runRoot)).toEqual([]);

  const { state: podState } = await t.vc.statusPod(podId);
  if (podState !== 'stopped') await t.vc.stopPod(podId);
  await t.vc.deletePod(podId);
  expect(await processesMentioning(runDir)).toEqual([]);
  expect((await scanOurProcesses(linuxHost, runRoot)).filter((p) => p.runDir === runDir)).toEqual([]);
}

describe('kill -9 of a running pod’s host processes', () => {
  for (const kind of ['qemu', 'proxy', 'shim', 'virtiofsd'] as const) {
    it(`${kind}: status answers, doctor leaves nothing unowned, the pod is deletable with nothing left`, async () => {
      const podId = `kill-${kind}`;
      await t.vc.runPod(qemuPod(podId, [{ id: 'c1', rootFs, cmd: forever }]));
      const runDir = runDirFor(runRoot, podId);
      const victims = (await scanOurProcesses(linuxHost, runRoot)).filter((p) => p.kind === kind && p.runDir === runDir);
      expect(victims.length, `a ${kind} process of pod ${podId}`).toBeGreaterThan(0);
      process.kill(victims[0]!.pid, 'SIGKILL');
      await new Promise((r) => setTimeout(r, 1_000)); // let the kill land (parents reap, sockets close)

      await observeAndClean(kind, podId);
    }, 240_000);
  }
});

/** Types `line` into the VM's serial console (its socket is in the run dir; the shell is the debug console). */
function typeIntoConsole(runDir: string, line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = connect(path.join(runDir, 'console.sock'), () => sock.end(`${line}\n`, () => setTimeout(resolve, 500)));
    sock.on('error', reject);
  });
}

describe('kill -9 of the agent inside the guest', () => {
  it('agent: typed into the debug console; status answers, doctor leaves nothing unowned, the pod is deletable with nothing left', async () => {
    const podId = 'kill-agent';
    const debugConsole = { hypervisorConfig: { kernelParams: [{ key: 'podvisor.debug_console', value: '1' }] } };
    await t.vc.runPod(qemuPod(podId, [{ id: 'c1', rootFs, cmd: forever }], debugConsole));
    const { vm } = await t.vc.statusPod(podId);
    await typeIntoConsole(runDirFor(runRoot, podId), 'kill -9 $(pidof node)');
    // The guest's init says so when the agent dies (and respawns it): proof the kill landed.
    const until = Date.now() + 30_000;
    while (!readFileSync(vm!.consoleLog, 'utf8').includes('agent exited with status 137') && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    expect(readFileSync(vm!.consoleLog, 'utf8')).toContain('agent exited with status 137');
    // init prints that line, then powers off: wait for QEMU to be gone (bounded), so the status
    // read below sees the end of the VM and not the moment before it.
    const qemuGone = async () => (await linuxHost.cmdline(vm!.pid)) === null || (await linuxHost.cmdline(vm!.pid))!.length === 0;
    await expect.poll(qemuGone, { timeout: 60_000 }).toBe(true);
    await observeAndClean('agent', podId);
  }, 240_000);
});
