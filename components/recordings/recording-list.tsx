'use client';
// `/recordings`: terminal recordings, newest first (an admin sees everyone's, an operator their own),
// each with replay and download; the admin's recording settings above. Viewers get none.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { RoleGate } from '../auth/role-gate';
import { formatBytes } from '../metrics/pod-metrics';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../ui/error-message';
import { formatTime } from '../ui/format';
import { RecordingSettings } from './recording-settings';

const seconds = (from: string, to: string | null) => (to ? `${Math.max(0, Math.round((Date.parse(to) - Date.parse(from)) / 1000))} s` : 'live');

function List({ podId }: { podId?: string }) {
  const trpc = useTRPC();
  const list = useQuery({ ...trpc.recordings.list.queryOptions(podId ? { podId } : {}), refetchInterval: 10_000 });
  if (list.isPending) return <p className="empty" role="status">Loading recordings…</p>;
  if (list.isError) return <p className="inline-error" role="alert">{errorMessage(list.error)}</p>;
  if (list.data.length === 0) return <p className="empty">No terminal session recorded yet.</p>;
  return (
    <table className="data" aria-label="Recordings">
      <thead>
        <tr>
          <th>Started</th>
          <th>Pod</th>
          <th>Session</th>
          <th>By</th>
          <th>Length</th>
          <th>Size</th>
          <th>Input</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {list.data.map((r) => (
          <tr key={r.id} data-recording={r.id}>
            <td>{formatTime(r.startedAt)}</td>
            <td>
              <Link href={`/pods/${r.podId}`} className="mono">
                {r.podId}
              </Link>
            </td>
            <td className="mono">
              {r.kind === 'console' ? 'VM console' : `${r.containerId}: ${r.title}`}
            </td>
            <td>{r.ownerName}</td>
            <td className="num">{seconds(r.startedAt, r.endedAt)}</td>
            <td className="num">{formatBytes(r.bytes)}</td>
            <td>{r.inputRecorded ? 'recorded' : 'off'}</td>
            <td>
              <Link href={`/recordings/${r.id}`}>Replay</Link> · <a href={`/recordings/${r.id}.cast?download=1`}>Download .cast</a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function RecordingList() {
  return (
    <RoleGate need="operator" denied={<p className="empty">Terminal recordings are for operators and admins.</p>}>
      <RoleGate need="admin" denied={null}>
        <RecordingSettings />
      </RoleGate>
      <section className="card" aria-labelledby="recordings-heading">
        <h2 id="recordings-heading">Sessions</h2>
        <List />
      </section>
    </RoleGate>
  );
}
