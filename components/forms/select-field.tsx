'use client';
// A select bound to the form's value at `path`; options are the schema's enum values (or the host's, such as its CNI networks).
import { FormField } from '../ui/form-field';
import { useField, type BoundFieldProps } from './use-field';

interface Props extends BoundFieldProps {
  options: readonly string[];
  /** Shown for the "" option, when the schema allows it. */
  emptyLabel?: string;
  /** What the user reads for an option, when the value alone says too little. */
  labelOf?: (option: string) => string;
}

export function SelectField({ path, errorPath, label, options, hint, emptyLabel, labelOf }: Props) {
  const field = useField<string>(path, errorPath);
  return (
    <FormField label={label} hint={hint} errors={field.errorsFor()}>
      {(control) => (
        <select {...control} value={String(field.value ?? '')} onChange={(e) => field.onChange(e.target.value)} onBlur={field.onBlur}>
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
