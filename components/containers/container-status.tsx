// The container's status facts: state, PID, start time, exit code, rootfs and annotations.
import type { ContainerStatus } from '../../server/engine/types';
import { FactList } from '../ui/fact-list';
import { formatTime } from '../ui/format';

export function ContainerStatusCard({ status }: { status: ContainerStatus }) {
  const annotations = Object.entries(status.annotations);
  const facts: [string, string][] = [
    ['PID', status.pid ? String(status.pid) : '—'],
    ['Started', formatTime(status.startTime)],
    ['Exit code', status.exitCode === null ? '—' : String(status.exitCode)],
    ['Rootfs', status.rootFs],
    ['Annotations', annotations.length ? annotations.map(([k, v]) => `${k}=${v}`).join(', ') : '—'],
  ];
  return (
    <section className="card" aria-labelledby="status-heading">
      <h2 id="status-heading">Status</h2>
      <FactList facts={facts} />
    </section>
  );
}
