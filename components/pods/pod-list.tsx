'use client';
// `/` and `/pods`: every pod, searchable, filterable by state, sortable (all kept in the URL), with bulk
// actions; the live subscription refetches it whenever anything changes.
import { useQuery } from '@tanstack/react-query';
import { usePathname, useSearchParams } from 'next/navigation';
import { useEffect, useMemo, useState } from 'react';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../ui/error-message';
import { useNow } from '../ui/use-now';
import { applyView, paramsOfView, toRows, viewFromParams, type ListView } from './list-view';
import { NewPodLink } from './new-pod-link';
import { PodBulkActions } from './pod-bulk-actions';
import { PodListToolbar } from './pod-list-toolbar';
import { PodTable } from './pod-table';

export function PodList() {
  const trpc = useTRPC();
  // The slow interval catches what only a status read notices (a VM that died); changes come live.
  const pods = useQuery({ ...trpc.pod.list.queryOptions(), refetchInterval: 10_000 });
  const overview = useQuery(trpc.system.podOverview.queryOptions());
  // Sampled on the host while the list is open; the CPU and RSS columns sort by it.
  const figures = useQuery({ ...trpc.metrics.latest.queryOptions(), refetchInterval: 5_000 });
  const searchParams = useSearchParams();
  const pathname = usePathname();
  const [view, setView] = useState<ListView>(() => viewFromParams(searchParams));
  // Mirror the view into the URL (without a navigation) so a filtered, sorted list can be shared.
  useEffect(() => window.history.replaceState(null, '', `${pathname}${paramsOfView(view)}`), [pathname, view]);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const now = useNow();
  const allRows = useMemo(() => toRows(pods.data ?? [], overview.data, now, figures.data), [pods.data, overview.data, now, figures.data]);
  const rows = useMemo(() => applyView(allRows, view), [allRows, view]);
  const selectedRows = allRows.filter((r) => selected.has(r.id));

  if (pods.isPending) return <p className="empty" role="status">Loading pods…</p>;
  if (pods.isError) return <p className="inline-error" role="alert">Could not load pods: {errorMessage(pods.error)}</p>;
  if (allRows.length === 0) {
    return (
      <div className="empty-state">
        <h2>Nothing here yet</h2>
        <p>A pod is a lightweight VM; its containers run inside it.</p>
        <NewPodLink>Create a pod</NewPodLink>
        <p className="field-hint">
          or from a shell: <code>npx podvisor pod run</code>
        </p>
      </div>
    );
  }
  return (
    <>
      <PodListToolbar view={view} onChange={setView} counts={allRows}>
        <PodBulkActions rows={selectedRows} onDone={() => setSelected(new Set())} />
      </PodListToolbar>
      {rows.length === 0 ? (
        <p className="empty">No pod matches the search and filter.</p>
      ) : (
        <PodTable rows={rows} view={view} onSort={(sort) => setView((v) => ({ ...v, sort, descending: v.sort === sort ? !v.descending : false }))} selected={selected} onSelect={setSelected} />
      )}
    </>
  );
}
