// Folds the progress feed (start/done/failed reports) into one row per step of the latest calls,
// in the order the steps began. Pure, so the pod page and the new-pod form show the same thing.
export interface StepReport {
  podId: string;
  seq: number;
  at: number;
  call: string;
  step: string;
  label: string;
  phase: 'start' | 'done' | 'failed';
  elapsedMs: number;
  durationMs: number;
}

export interface StepRow {
  key: string;
  call: string;
  step: string;
  label: string;
  state: 'running' | 'done' | 'failed';
  /** Wall-clock start, for the ticking time of a running step. */
  startedAt: number;
  durationMs: number;
}

/** The store commit is bookkeeping, not something an operator waits for. */
const HIDDEN = /^store\.commit:/;

export function foldSteps(reports: StepReport[]): StepRow[] {
  const rows = new Map<string, StepRow>();
  for (const r of reports) {
    if (HIDDEN.test(r.step)) continue;
    const key = `${r.call}/${r.step}`;
    if (r.phase === 'start') {
      // A step run again (a retried call) starts a fresh row at the end.
      rows.delete(key);
      rows.set(key, { key, call: r.call, step: r.step, label: r.label, state: 'running', startedAt: r.at, durationMs: 0 });
    } else {
      const row = rows.get(key) ?? { key, call: r.call, step: r.step, label: r.label, state: 'running', startedAt: r.at - r.durationMs, durationMs: 0 };
      rows.set(key, { ...row, state: r.phase === 'done' ? 'done' : 'failed', durationMs: r.durationMs });
    }
  }
  return [...rows.values()];
}

/** True when the reports say the call created the pod in the store (RunPod's first half). */
export const podRecorded = (reports: StepReport[]) => reports.some((r) => r.step === 'store.commit:createPod' && r.phase === 'done');
