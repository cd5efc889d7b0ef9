'use client';
// `/admin/settings`: the folders whose files API calls may name as host paths (root filesystems,
// volumes, VM assets…). One absolute path per row; the server resolves each and refuses a folder
// that does not exist, naming the row.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { HostPathRootsSchema } from '../../server/engine/types';
import { errorsAt, fieldErrorsOfServer, fieldErrorsOfZod, type FieldErrors } from '../forms/field-errors';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../ui/error-message';
import { FormField } from '../ui/form-field';
import { useToast } from '../ui/toast';

/** Issues keyed "roots.1" (or "roots" for the list), whether they came from the input's schema ("roots.1") or the engine ("1"). */
const asRootErrors = (errors: FieldErrors): FieldErrors =>
  Object.fromEntries(Object.entries(errors).map(([key, message]) => [['roots', ...key.split('.').filter((p) => p && p !== 'roots')].join('.'), message]));

export function HostPathRoots() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const saved = useQuery(trpc.admin.hostPathRoots.queryOptions());
  const [edited, setEdited] = useState<string[] | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  const save = useMutation(
    trpc.admin.setHostPathRoots.mutationOptions({
      onSuccess: (roots) => {
        queryClient.setQueryData(trpc.admin.hostPathRoots.queryKey(), roots);
        setEdited(null);
        toast({ kind: 'success', message: `Host path roots saved (${roots.length})` });
      },
      onError: (error) => {
        setErrors(asRootErrors(fieldErrorsOfServer(error)));
        toast({ kind: 'error', message: errorMessage(error) });
      },
    }),
  );
  if (saved.isPending) return <p className="empty" role="status">Loading host path roots…</p>;
  if (saved.isError) return <p className="inline-error" role="alert">{errorMessage(saved.error)}</p>;

  const roots = edited ?? saved.data;
  const edit = (next: string[]) => (setEdited(next), setErrors({}));
  const submit = () => {
    // Blank rows go first, so that the rows on screen are numbered as the server numbers them.
    const candidate = roots.map((r) => r.trim()).filter(Boolean);
    setEdited(candidate);
    const checked = HostPathRootsSchema.safeParse(candidate);
    if (checked.success) save.mutate({ roots: checked.data });
    else setErrors(asRootErrors(fieldErrorsOfZod(checked.error)));
  };
  return (
    <section className="card span-2" aria-labelledby="roots-heading">
      <h2 id="roots-heading">Host path allowlist</h2>
      <form
        className="form"
        aria-label="Host path roots"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <p className="field-hint">Every host path an API call names must lie in one of these folders (symlinks followed).</p>
        {roots.map((root, i) => (
          <div key={i} className="list-row">
            <FormField label={`Folder ${i + 1}`} errors={errorsAt(errors, `roots.${i}`)}>
              {(control) => <input {...control} className="mono" value={root} spellCheck={false} onChange={(e) => edit(roots.map((r, j) => (j === i ? e.target.value : r)))} />}
            </FormField>
            <button type="button" className="btn btn-small btn-ghost" aria-label={`Remove folder ${i + 1}`} onClick={() => edit(roots.filter((_, j) => j !== i))}>
              Remove
            </button>
          </div>
        ))}
        {errors['roots'] && (
          <p className="field-error" role="alert">
            {errors['roots']}
          </p>
        )}
        <div className="form-actions">
          <button type="button" className="btn btn-small" onClick={() => edit([...roots, ''])}>
            Add folder
          </button>
          <button type="submit" className="btn btn-primary" disabled={edited === null || save.isPending}>
            Save
          </button>
          {edited && (
            <button type="button" className="btn btn-ghost" onClick={() => (setEdited(null), setErrors({}))}>
              Discard changes
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
