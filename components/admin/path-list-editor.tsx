'use client';
// The editor both allowlists on /admin/settings use: one path (or pattern) per row, checked with
// the shared schema before saving, and the server's refusal shown at the row it names.
import { useState } from 'react';
import type { ZodType } from 'zod';
import { errorsAt, fieldErrorsOfServer, fieldErrorsOfZod, type FieldErrors } from '../forms/field-errors';
import { FormField } from '../ui/form-field';

export interface PathListEditorProps {
  /** The input's key ("roots", "patterns"): issues come back keyed "<key>.1", or "1" from the engine. */
  field: string;
  title: string;
  /** The form's accessible name. */
  formLabel: string;
  hint: React.ReactNode;
  /** One row's noun: "Folder", "Pattern". */
  noun: string;
  /** Shown for an empty list (the device list may be empty; the folder list may not). */
  emptyText?: string;
  saved: string[];
  schema: ZodType<string[]>;
  saving: boolean;
  /** Saves the list; rejects with the server's error, whose field errors are shown at their rows. */
  save(list: string[]): Promise<unknown>;
}

export function PathListEditor({ field, title, formLabel, hint, noun, emptyText, saved, schema, saving, save }: PathListEditorProps) {
  const [edited, setEdited] = useState<string[] | null>(null);
  const [errors, setErrors] = useState<FieldErrors>({});
  /** Issues keyed "<field>.1" (or "<field>" for the list), from the input's schema or from the engine. */
  const keyed = (e: FieldErrors): FieldErrors =>
    Object.fromEntries(Object.entries(e).map(([key, message]) => [[field, ...key.split('.').filter((p) => p && p !== field)].join('.'), message]));
  const rows = edited ?? saved;
  const edit = (next: string[]) => (setEdited(next), setErrors({}));
  const submit = () => {
    // Blank rows go first, so that the rows on screen are numbered as the server numbers them.
    const candidate = rows.map((r) => r.trim()).filter(Boolean);
    setEdited(candidate);
    const checked = schema.safeParse(candidate);
    if (!checked.success) return setErrors(keyed(fieldErrorsOfZod(checked.error)));
    save(checked.data).then(
      () => setEdited(null),
      (error: unknown) => setErrors(keyed(fieldErrorsOfServer(error))),
    );
  };
  const headingId = `${field}-heading`;
  return (
    <section className="card span-2" aria-labelledby={headingId}>
      <h2 id={headingId}>{title}</h2>
      <form
        className="form"
        aria-label={formLabel}
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <p className="field-hint">{hint}</p>
        {rows.length === 0 && emptyText && <p className="empty">{emptyText}</p>}
        {rows.map((row, i) => (
          <div key={i} className="list-row">
            <FormField label={`${noun} ${i + 1}`} errors={errorsAt(errors, `${field}.${i}`)}>
              {(control) => <input {...control} className="mono" value={row} spellCheck={false} onChange={(e) => edit(rows.map((r, j) => (j === i ? e.target.value : r)))} />}
            </FormField>
            <button type="button" className="btn btn-small btn-ghost" aria-label={`Remove ${noun.toLowerCase()} ${i + 1}`} onClick={() => edit(rows.filter((_, j) => j !== i))}>
              Remove
            </button>
          </div>
        ))}
        {errors[field] && (
          <p className="field-error" role="alert">
            {errors[field]}
          </p>
        )}
        <div className="form-actions">
          <button type="button" className="btn btn-small" onClick={() => edit([...rows, ''])}>
            Add {noun.toLowerCase()}
          </button>
          <button type="submit" className="btn btn-primary" disabled={edited === null || saving}>
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
