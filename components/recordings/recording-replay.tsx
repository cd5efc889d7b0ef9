'use client';
// `/recordings/[id]`: one recording replayed in the browser, with who, where and when, and a download.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { RoleGate } from '../auth/role-gate';
import { formatBytes } from '../metrics/pod-metrics';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../ui/error-message';
import { FactList } from '../ui/fact-list';
import { formatTime } from '../ui/format';
import { CastPlayer } from './cast-player';
import './recordings.css';

function Replay({ id }: { id: string }) {
  const trpc = useTRPC();
  const recording = useQuery({ ...trpc.recordings.get.queryOptions({ id }), retry: false });
  if (recording.isPending) return <p className="empty" role="status">Loading…</p>;
  if (recording.isError) return <p className="inline-error" role="alert">{errorMessage(recording.error)}</p>;
  const r = recording.data;
  return (
    <div className="stack">
      <section className="card" aria-labelledby="replay-heading">
        <h2 id="replay-heading">{r.kind === 'console' ? `VM console of ${r.podId}` : `${r.title} in ${r.podId}/${r.containerId}`}</h2>
        <CastPlayer id={r.id} />
      </section>
      <section className="card">
        <FactList
          facts={[
            ['Pod', <Link key="pod" href={`/pods/${r.podId}`}>{r.podId}</Link>],
            ['Opened by', r.ownerName],
            ['Started', formatTime(r.startedAt)],
            ['Ended', r.endedAt ? formatTime(r.endedAt) : 'still live'],
            ['Input', r.inputRecorded ? 'recorded' : 'not recorded (admin setting)'],
            ['Size', formatBytes(r.bytes)],
          ]}
        />
        <p>
          <a className="btn" href={`/recordings/${r.id}.cast?download=1`}>
            Download .cast
          </a>
        </p>
      </section>
    </div>
  );
}

export function RecordingReplay({ id }: { id: string }) {
  return (
    <RoleGate need="operator" denied={<p className="empty" role="alert">Only operators replay their own sessions, and admins everyone&apos;s.</p>}>
      <Replay id={id} />
    </RoleGate>
  );
}
