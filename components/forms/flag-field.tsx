'use client';
// A checkbox bound to the form's boolean at `path` (flags have no errors of their own).
import { CheckboxField } from '../ui/checkbox-field';
import { useField } from './use-field';

export function FlagField({ path, label }: { path: string; label: string }) {
  const field = useField<boolean>(path, path);
  return <CheckboxField label={label} checked={Boolean(field.value)} onChange={field.onChange} />;
}
