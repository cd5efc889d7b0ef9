'use client';
// A select bound to a form model path; options are the schema's enum values (or the host's, such as its CNI networks).
import { FormField } from '../ui/form-field';
import type { BoundFieldProps } from './use-form-model';

interface Props extends BoundFieldProps {
  options: readonly string[];
  /** Shown for the "" option, when the schema allows it. */
  emptyLabel?: string;
  /** What the user reads for an option, when the value alone says too little. */
  labelOf?: (option: string) => string;
}

export function SelectField({ form, path, errorPath, label, options, hint, emptyLabel, labelOf }: Props) {
  return (
    <FormField label={label} hint={hint} errors={form.errorsFor(errorPath)}>
      {(control) => (
        <select {...control} value={String(form.get(path) ?? '')} onChange={(e) => form.set(path, e.target.value)} onBlur={() => form.touch(errorPath)}>
          {options.map((o) => (
            <option key={o} value={o}>
              {o === '' ? (emptyLabel ?? '(default)') : (labelOf?.(o) ?? o)}
            </option>
          ))}
        </select>
      )}
    </FormField>
  );
}
