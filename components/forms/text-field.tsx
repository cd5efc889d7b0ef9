'use client';
// A text input (or textarea for list fields) bound to the form's value at `path`, with its errors beside it.
import { FormField } from '../ui/form-field';
import { useField, type BoundFieldProps } from './use-field';

interface Props extends BoundFieldProps {
  placeholder?: string;
  rows?: number;
  inputMode?: 'numeric' | 'text';
  wide?: boolean;
  /** Passwords are typed blind; `autoComplete` tells password managers which one this is. */
  type?: 'text' | 'password' | 'datetime-local';
  autoComplete?: string;
}

export function TextField({ path, errorPath, label, hint, placeholder, rows, inputMode, wide, type = 'text', autoComplete }: Props) {
  const field = useField<string>(path, errorPath);
  const common = {
    value: String(field.value ?? ''),
    placeholder,
    spellCheck: false,
    autoComplete,
    onBlur: field.onBlur,
  };
  return (
    <FormField label={label} hint={hint} errors={field.errorsFor()} wide={wide ?? rows !== undefined}>
      {(control) =>
        rows ? (
          <textarea {...control} {...common} rows={rows} onChange={(e) => field.onChange(e.target.value)} />
        ) : (
          <input {...control} {...common} type={type} inputMode={inputMode} onChange={(e) => field.onChange(e.target.value)} />
        )
      }
    </FormField>
  );
}
