// Audit entries as a table: when, who (and how: session, token, CLI), what, on which pod, how it ended.
import type { AuditEntry } from '../../server/auth/audit';
import { formatTime } from '../ui/format';
import { TableHead } from '../ui/table-head';

export function AuditTable({ entries }: { entries: AuditEntry[] }) {
  return (
    <table className="data" aria-label="Audit entries">
      <TableHead columns={['Time', 'Actor', 'Action', 'Target', 'Outcome', 'Details', 'Source']} />
      <tbody>
        {entries.map((e) => (
          <tr key={e.id} data-outcome={e.outcome}>
            <td>{formatTime(e.time)}</td>
            <td>
              <span className="strong">{e.actor}</span> <span className="field-hint">{e.via}</span>
            </td>
            <td className="mono">{e.action}</td>
            <td className="mono">{[e.podId, e.containerId].filter(Boolean).join(' / ') || '—'}</td>
            <td>
              <span className="outcome" data-outcome={e.outcome}>
                {e.outcome}
              </span>
            </td>
            <td className="truncate" title={[e.message, e.input].filter(Boolean).join('\n')}>
              {e.errorCode ? `${e.errorCode}: ${e.message ?? ''}` : e.input || '—'}
            </td>
            <td className="mono">{e.source ?? '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
