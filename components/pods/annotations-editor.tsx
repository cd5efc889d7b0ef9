'use client';
// Edit the pod's annotations in place (pod.setAnnotations). The engine merges keys, as upstream's
// SetAnnotations does, so existing keys cannot be renamed or removed here: only their values change.
// Viewers see them read-only.
import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { useRoleBlocker } from '../auth/use-session';
import { useActionFeedback } from '../trpc/use-action-feedback';
import { useTRPC } from '../trpc/client';
import { ActionButton } from '../ui/action-button';

type Row = { key: string; value: string; existing: boolean };

const BLANK: Row = { key: '', value: '', existing: false };
const rowsOf = (annotations: Record<string, string>): Row[] => [...Object.entries(annotations).map(([key, value]) => ({ key, value, existing: true })), BLANK];

export function AnnotationsEditor({ podId, annotations }: { podId: string; annotations: Record<string, string> }) {
  const trpc = useTRPC();
  const feedback = useActionFeedback();
  // null while nothing is edited, so live updates from elsewhere show through.
  const [edited, setEdited] = useState<Row[] | null>(null);
  const rows = edited ?? rowsOf(annotations);
  const save = useMutation(trpc.pod.setAnnotations.mutationOptions(feedback(() => 'Annotations saved', () => setEdited(null))));
  const setRow = (i: number, change: Partial<Row>) => {
    const next = rows.map((r, j) => (j === i ? { ...r, ...change } : r));
    // Typing into the last (blank) row adds a fresh blank row below it.
    setEdited(next.at(-1)?.key ? [...next, BLANK] : next);
  };
  const changed = rows.filter((r) => r.key.trim() !== '' && annotations[r.key.trim()] !== r.value);
  const roleBlocker = useRoleBlocker('operator');

  return (
    <section className="card" aria-labelledby="annotations-heading">
      <h2 id="annotations-heading">Annotations</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (changed.length > 0 && !roleBlocker) save.mutate({ podId, annotations: Object.fromEntries(changed.map((r) => [r.key.trim(), r.value])) });
        }}
      >
        <table className="data kv-table">
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                <td>
                  <input aria-label={`Annotation ${i + 1} key`} className="mono" value={r.key} placeholder="key" readOnly={r.existing || roleBlocker !== null} onChange={(e) => setRow(i, { key: e.target.value })} />
                </td>
                <td>
                  <input aria-label={`Annotation ${i + 1} value`} className="mono" value={r.value} placeholder="value" readOnly={roleBlocker !== null} onChange={(e) => setRow(i, { value: e.target.value })} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <div className="form-actions">
          <ActionButton type="submit" small variant="primary" unavailableBecause={roleBlocker ?? (changed.length === 0 ? 'Nothing changed yet' : null)} busy={save.isPending}>
            Save annotations
          </ActionButton>
          {edited && (
            <button type="button" className="btn btn-small btn-ghost" onClick={() => setEdited(null)}>
              Discard changes
            </button>
          )}
        </div>
        {save.isError && (
          <p className="field-error" role="alert">
            {save.error.message}
          </p>
        )}
      </form>
    </section>
  );
}
