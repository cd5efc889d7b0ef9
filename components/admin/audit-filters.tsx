'use client';
// The audit log's filters as a form; applying turns them into an admin.audit query (times in the
// browser's zone become ISO instants).
import { AUDIT_OUTCOMES, AuditQuerySchema, type AuditQuery } from '../../server/auth/schemas';
import { ModelForm } from '../forms/model-form';
import { validatorOf } from '../forms/schema-validation';
import { SelectField } from '../forms/select-field';
import { TextField } from '../forms/text-field';
import { useSchemaForm } from '../forms/use-schema-form';

type AuditFilterValues = { actor: string; action: string; podId: string; outcome: string; since: string; until: string };
const NO_FILTERS: AuditFilterValues = { actor: '', action: '', podId: '', outcome: '', since: '', until: '' };

/** A datetime-local value as an ISO instant; one the browser cannot read is left as typed, so the schema names it. */
function instant(local: string): string | undefined {
  if (!local) return undefined;
  const time = new Date(local);
  return Number.isNaN(time.getTime()) ? local : time.toISOString();
}
const validateQuery = validatorOf(AuditQuerySchema.omit({ limit: true, beforeId: true }));
const validateFilters = (v: AuditFilterValues) =>
  validateQuery({
    actor: v.actor.trim() || undefined,
    action: v.action.trim() || undefined,
    podId: v.podId.trim() || undefined,
    outcome: v.outcome || undefined,
    since: instant(v.since),
    until: instant(v.until),
  });

export type AuditFilter = Omit<AuditQuery, 'limit' | 'beforeId'>;

export function AuditFilters({ onApply }: { onApply: (filter: AuditFilter) => void }) {
  const form = useSchemaForm(NO_FILTERS, validateFilters);
  return (
    <ModelForm
      form={form}
      onValid={onApply}
      label="Audit filters"
      submit="Apply filters"
      actions={
        <button type="button" className="btn" onClick={() => (form.reset(NO_FILTERS), onApply({}))}>
          Clear
        </button>
      }
    >
      <div className="form-grid">
        <TextField path="actor" errorPath="actor" label="Actor" hint="The exact user name" />
        <TextField path="action" errorPath="action" label="Action" hint='Starts with, e.g. "pod." or "auth.login"' />
        <TextField path="podId" errorPath="podId" label="Pod" />
        <SelectField path="outcome" errorPath="outcome" label="Outcome" options={['', ...AUDIT_OUTCOMES]} emptyLabel="any" />
        <TextField path="since" errorPath="since" label="Since" type="datetime-local" />
        <TextField path="until" errorPath="until" label="Until" type="datetime-local" />
      </div>
    </ModelForm>
  );
}
