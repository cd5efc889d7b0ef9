// The pod's containers with their states, each linking to its own page.
import Link from 'next/link';
import type { PodStatus } from '../../server/engine/types';
import { ActionLink } from '../ui/action-link';
import { formatTime } from '../ui/format';
import { StateBadge } from '../ui/state-badge';
import { TableHead } from '../ui/table-head';
import { usePreconditions } from './use-preconditions';

export function PodContainers({ status }: { status: PodStatus }) {
  const blocker = usePreconditions().container('create', null, status);
  return (
    <section className="card" aria-labelledby="containers-heading">
      <div className="card-header">
        <h2 id="containers-heading">Containers</h2>
        <ActionLink className="btn btn-small" href={`/pods/${status.id}/containers/new`} unavailableBecause={blocker}>
          New container
        </ActionLink>
      </div>
      {status.containersStatus.length === 0 ? (
        <p className="empty">No containers in this pod.</p>
      ) : (
        <table className="data" aria-label="Containers">
          <TableHead columns={['Container', 'State', 'PID', 'Started', 'Exit code', 'Rootfs']} />
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
