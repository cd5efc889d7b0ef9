'use client';
// A text input (or textarea for list fields) bound to a form model path, with its errors beside it.
import { FormField } from '../ui/form-field';
import type { BoundFieldProps } from './use-form-model';

interface Props extends BoundFieldProps {
  placeholder?: string;
  rows?: number;
  inputMode?: 'numeric' | 'text';
  wide?: boolean;
  /** Passwords are typed blind; `autoComplete` tells password managers which one this is. */
  type?: 'text' | 'password' | 'datetime-local';
  autoComplete?: string;
}

export function TextField({ form, path, errorPath, label, hint, placeholder, rows, inputMode, wide, type = 'text', autoComplete }: Props) {
  const common = {
    value: String(form.get(path) ?? ''),
    placeholder,
    spellCheck: false,
    autoComplete,
    onBlur: () => form.touch(errorPath),
  };
  return (
    <FormField label={label} hint={hint} errors={form.errorsFor(errorPath)} wide={wide ?? rows !== undefined}>
      {(control) =>
        rows ? (
          <textarea {...control} {...common} rows={rows} onChange={(e) => form.set(path, e.target.value)} />
        ) : (
          <input {...control} {...common} type={type} inputMode={inputMode} onChange={(e) => form.set(path, e.target.value)} />
        )
      }
    </FormField>
  );
}
