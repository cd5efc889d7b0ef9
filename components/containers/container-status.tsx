// The container's status facts: state, PID, start time, exit code, rootfs and annotations.
import type { ContainerStatus } from '../../server/engine/types';
import { formatTime } from '../ui/format';

export function ContainerStatusCard({ status }: { status: ContainerStatus }) {
  const facts: [string, string][] = [
    ['PID', status.pid ? String(status.pid) : '—'],
    ['Started', formatTime(status.startTime)],
    ['Exit code', status.exitCode === null ? '—' : String(status.exitCode)],
    ['Rootfs', status.rootFs],
  ];
  const annotations = Object.entries(status.annotations);
  return (
    <section className="card" aria-labelledby="status-heading">
      <h2 id="status-heading">Status</h2>
      <dl className="kv">
        {facts.map(([key, value]) => (
          <div key={key}>
            <dt>{key}</dt>
            <dd className="mono">{value}</dd>
          </div>
        ))}
        <div>
          <dt>Annotations</dt>
          <dd className="mono">{annotations.length ? annotations.map(([k, v]) => `${k}=${v}`).join(', ') : '—'}</dd>
        </div>
      </dl>
    </section>
  );
}
