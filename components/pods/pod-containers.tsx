// The pod's containers with their states, each linking to its own page.
import Link from 'next/link';
import type { PodStatus } from '../../server/engine/types';
import { formatTime } from '../ui/format';
import { StateBadge } from '../ui/state-badge';
import { usePreconditions } from './use-preconditions';

export function PodContainers({ status }: { status: PodStatus }) {
  const blocker = usePreconditions().container('create', null, status.state);
  return (
    <section className="card" aria-labelledby="containers-heading">
      <div className="card-header">
        <h2 id="containers-heading">Containers</h2>
        {blocker ? (
          <span className="btn btn-small" aria-disabled="true" title={blocker} aria-label={`New container (unavailable: ${blocker})`}>
            New container
          </span>
        ) : (
          <Link className="btn btn-small" href={`/pods/${status.id}/containers/new`}>
            New container
          </Link>
        )}
      </div>
      {status.containersStatus.length === 0 ? (
        <p className="empty">No containers in this pod.</p>
      ) : (
        <table className="data" aria-label="Containers">
          <thead>
            <tr>
              <th>Container</th>
              <th>State</th>
              <th>PID</th>
              <th>Started</th>
              <th>Exit code</th>
              <th>Rootfs</th>
            </tr>
          </thead>
          <tbody>
            {status.containersStatus.map((c) => (
              <tr key={c.id}>
                <td>
                  <Link className="mono strong" href={`/pods/${status.id}/containers/${c.id}`}>
                    {c.id}
                  </Link>
                </td>
                <td>
                  <StateBadge state={c.state} />
                </td>
                <td className="num">{c.pid || '—'}</td>
                <td>{formatTime(c.startTime)}</td>
                <td className="num">{c.exitCode ?? '—'}</td>
                <td className="mono truncate" title={c.rootFs}>
                  {c.rootFs}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
