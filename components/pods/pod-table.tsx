'use client';
// The pod table: dense rows, sortable headers, a checkbox per row for bulk actions.
import Link from 'next/link';
import { StateBadge } from '../ui/state-badge';
import { formatDuration } from '../ui/format';
import { formatBytes } from '../metrics/pod-metrics';
import type { ListView, PodRow, SortKey } from './list-view';

const COLUMNS: [SortKey, string][] = [
  ['id', 'Pod'],
  ['state', 'State'],
  ['hypervisor', 'Hypervisor'],
  ['agent', 'Agent'],
  ['accelerator', 'Accel'],
  ['address', 'Address'],
  ['containers', 'Containers'],
  ['vcpus', 'vCPUs'],
  ['memoryMiB', 'Memory'],
  ['uptimeMs', 'Uptime'],
  ['cpuPercent', 'CPU'],
  ['rssBytes', 'RSS'],
];

interface Props {
  rows: PodRow[];
  view: ListView;
  onSort: (key: SortKey) => void;
  selected: Set<string>;
  onSelect: (selected: Set<string>) => void;
}

export function PodTable({ rows, view, onSort, selected, onSelect }: Props) {
  const allSelected = rows.length > 0 && rows.every((r) => selected.has(r.id));
  const toggle = (id: string) => {
    const next = new Set(selected);
    if (!next.delete(id)) next.add(id);
    onSelect(next);
  };
  return (
    <table className="data" aria-label="Pods">
      <thead>
        <tr>
          <th className="col-check">
            <input type="checkbox" aria-label="Select all pods" checked={allSelected} onChange={() => onSelect(allSelected ? new Set() : new Set(rows.map((r) => r.id)))} />
          </th>
          {COLUMNS.map(([key, label]) => (
            <th key={key} aria-sort={view.sort === key ? (view.descending ? 'descending' : 'ascending') : undefined}>
              <button type="button" className="sort" onClick={() => onSort(key)}>
                {label}
                <span aria-hidden="true">{view.sort === key ? (view.descending ? ' ▾' : ' ▴') : ''}</span>
              </button>
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.id} data-selected={selected.has(r.id) || undefined}>
            <td className="col-check">
              <input type="checkbox" aria-label={`Select pod ${r.id}`} checked={selected.has(r.id)} onChange={() => toggle(r.id)} />
            </td>
            <td>
              <Link href={`/pods/${r.id}`} className="mono strong">
                {r.id}
              </Link>
            </td>
            <td>
              <StateBadge state={r.state} />
            </td>
            <td>{r.hypervisor}</td>
            <td>{r.agent}</td>
            <td>{r.accelerator || '—'}</td>
            <td className="mono">{r.address || '—'}</td>
            <td className="num" title={`${r.runningContainers} of ${r.containers} running`}>
              {r.runningContainers}/{r.containers}
            </td>
            <td className="num">{r.vcpus || 'default'}</td>
            <td className="num">{r.memoryMiB ? `${r.memoryMiB} MiB` : 'default'}</td>
            <td className="num">{r.uptimeMs === null ? '—' : formatDuration(r.uptimeMs)}</td>
            <td className="num">{r.cpuPercent === null ? '—' : `${r.cpuPercent.toFixed(1)} %`}</td>
            <td className="num">{r.rssBytes === null ? '—' : formatBytes(r.rssBytes)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
