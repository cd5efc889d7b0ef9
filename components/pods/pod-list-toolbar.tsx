'use client';
// Search box (focus with "/"), state filter with counts, and a slot for the bulk actions.
import type { ReactNode } from 'react';
import { STATES } from '../../server/engine/types';
import type { ListView, PodRow } from './list-view';

interface Props {
  view: ListView;
  onChange: (view: ListView) => void;
  counts: PodRow[];
  children: ReactNode;
}

export function PodListToolbar({ view, onChange, counts, children }: Props) {
  const count = (state: string) => counts.filter((r) => state === 'all' || r.state === state).length;
  return (
    <div className="toolbar" role="toolbar" aria-label="Pod list controls">
      <input
        type="search"
        className="search"
        aria-label="Search pods"
        placeholder="Search pods…  ( / )"
        data-shortcut="search"
        value={view.search}
        onChange={(e) => onChange({ ...view, search: e.target.value })}
      />
      <label className="inline-label">
        State
        <select aria-label="Filter by state" value={view.state} onChange={(e) => onChange({ ...view, state: e.target.value as ListView['state'] })}>
          {['all', ...STATES].map((s) => (
            <option key={s} value={s}>
              {s} ({count(s)})
            </option>
          ))}
        </select>
      </label>
      <div className="toolbar-end">{children}</div>
    </div>
  );
}
