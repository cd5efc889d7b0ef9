// The console's fold of progress reports into step rows (components/live/call-steps.ts): one row per
// step in the order they began, running until done or failed, the store commit hidden, and the
// moment RunPod's pod exists (the form opens the pod page then).
import { describe, expect, it } from 'vitest';
import { foldSteps, podRecorded, type StepReport } from '../../components/live/call-steps';

let seq = 0;
const r = (call: string, step: string, phase: StepReport['phase'], durationMs = 0): StepReport => ({ podId: 'p', seq: ++seq, at: 1_000 + seq, call, step, label: step, phase, elapsedMs: 0, durationMs });

describe('foldSteps', () => {
  it('keeps start order, updates rows in place, hides the commit', () => {
    const rows = foldSteps([
      r('createPod', 'network.prepare', 'start'),
      r('createPod', 'network.prepare', 'done', 12),
      r('createPod', 'hypervisor.startVm', 'start'),
      r('createPod', 'store.commit:createPod', 'start'),
      r('createPod', 'agent.startSandbox', 'start'),
      r('createPod', 'hypervisor.startVm', 'done', 800),
      r('createPod', 'agent.startSandbox', 'failed', 30),
    ]);
    expect(rows.map((x) => [x.step, x.state, x.durationMs])).toEqual([
      ['network.prepare', 'done', 12],
      ['hypervisor.startVm', 'done', 800],
      ['agent.startSandbox', 'failed', 30],
    ]);
  });

  it('starts a fresh row at the end when a step runs again, and tells when the pod was recorded', () => {
    const reports = [r('createPod', 'network.prepare', 'start'), r('createPod', 'network.prepare', 'failed'), r('createPod', 'network.prepare', 'start')];
    expect(foldSteps(reports).map((x) => x.state)).toEqual(['running']);
    expect(podRecorded(reports)).toBe(false);
    expect(podRecorded([...reports, r('createPod', 'store.commit:createPod', 'done')])).toBe(true);
  });
});
