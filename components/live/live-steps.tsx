'use client';
// The steps of a pod's long calls as they happen (progress.watch), with each one's time: a running
// step's time ticks, finished ones keep their duration. Used by the new-pod form and the pod page.
import { useSubscription } from '@trpc/tanstack-react-query';
import { useEffect, useState } from 'react';
import { useTRPC } from '../trpc/client';
import { useNow } from '../ui/use-now';
import { foldSteps, type StepReport } from './call-steps';
import './live.css';

const seconds = (ms: number) => `${(Math.max(0, ms) / 1000).toFixed(1)} s`;

/** Subscribes while `podId` is set; `onReport` sees every report (the form watches for the pod's creation). */
export function useLiveSteps(podId: string | null, opts: { replay?: boolean; onReport?: (all: StepReport[]) => void } = {}) {
  const trpc = useTRPC();
  const [reports, setReports] = useState<StepReport[]>([]);
  const { onReport, replay = true } = opts;
  // Another pod (or none): its steps start from nothing.
  useEffect(() => setReports([]), [podId]);
  const sub = useSubscription(
    trpc.progress.watch.subscriptionOptions(
      { podId: podId ?? '', replay },
      {
        enabled: podId !== null,
        onData: (report) => {
          setReports((all) => {
            const next = [...all, report];
            onReport?.(next);
            return next;
          });
        },
      },
    ),
  );
  // 'pending' is tRPC's "connected, waiting for data": from then on no step is missed.
  return { reports, connected: sub.status === 'pending', failed: sub.status === 'error' };
}

export function StepList({ reports, title = 'Progress' }: { reports: StepReport[]; title?: string }) {
  const rows = foldSteps(reports);
  const now = useNow(200);
  if (rows.length === 0) return null;
  return (
    <section className="card live-steps" aria-labelledby="live-steps-heading">
      <h2 id="live-steps-heading">{title}</h2>
      <ol className="step-list" aria-label="Steps">
        {rows.map((row) => (
          <li key={row.key} data-state={row.state} data-step={row.step}>
            <span className="step-mark" aria-hidden="true">
              {row.state === 'done' ? '✓' : row.state === 'failed' ? '✗' : '…'}
            </span>
            <span className="step-label">{row.label}</span>
            <span className="step-call mono">{row.call}</span>
            <span className="step-time mono">{row.state === 'running' ? seconds(now - row.startedAt) : seconds(row.durationMs)}</span>
          </li>
        ))}
      </ol>
    </section>
  );
}

/** The pod page's card: shown while (and for a while after) a call works on the pod. */
export function PodLiveSteps({ podId }: { podId: string }) {
  const { reports } = useLiveSteps(podId);
  return <StepList reports={reports} title="Recent steps" />;
}
