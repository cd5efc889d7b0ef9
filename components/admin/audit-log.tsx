'use client';
// `/admin/audit`: who did what, newest first, filtered, a page at a time (older / newer), and the
// filtered log as a JSON-lines download.
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../ui/error-message';
import { downloadText } from '../ui/download';
import { useToast } from '../ui/toast';
import { AuditFilters, type AuditFilter } from './audit-filters';
import { AuditTable } from './audit-table';

const PAGE = 50;
/** The most admin.audit returns at once: an export holds the newest this many matching entries. */
const EXPORT_LIMIT = 1_000;

export function AuditLog() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [filter, setFilter] = useState<AuditFilter>({});
  // The id after which each page starts, the newest page's undefined: "Newer" pops, "Older" pushes.
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const entries = useQuery(trpc.admin.audit.queryOptions({ ...filter, limit: PAGE, beforeId: cursors.at(-1) }));
  const apply = (next: AuditFilter) => (setFilter(next), setCursors([undefined]));

  const exportLines = async () => {
    try {
      const text = await queryClient.fetchQuery({ ...trpc.admin.auditExport.queryOptions({ ...filter, limit: EXPORT_LIMIT }), staleTime: 0 });
      downloadText(text, `audit-${new Date().toISOString().slice(0, 10)}.jsonl`, 'application/x-ndjson');
    } catch (error) {
      toast({ kind: 'error', message: `Export failed: ${errorMessage(error)}` });
    }
  };

  const rows = entries.data ?? [];
  return (
    <>
      <section className="card">
        <AuditFilters onApply={apply} />
      </section>
      <div className="toolbar" role="toolbar" aria-label="Audit log pages">
        <button type="button" className="btn btn-small" disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Newer entries
        </button>
        <button type="button" className="btn btn-small" disabled={rows.length < PAGE} onClick={() => setCursors((c) => [...c, rows.at(-1)!.id])}>
          Older entries
        </button>
        <span className="field-hint">Page {cursors.length}</span>
        <div className="toolbar-end">
          <button type="button" className="btn btn-small" onClick={() => void exportLines()} title={`The newest ${EXPORT_LIMIT} matching entries, oldest first`}>
            Export JSON lines
          </button>
        </div>
      </div>
      {entries.isPending ? (
        <p className="empty" role="status">Loading the audit log…</p>
      ) : entries.isError ? (
        <p className="inline-error" role="alert">{errorMessage(entries.error)}</p>
      ) : rows.length === 0 ? (
        <p className="empty">No entry matches the filters.</p>
      ) : (
        <AuditTable entries={rows} />
      )}
    </>
  );
}
