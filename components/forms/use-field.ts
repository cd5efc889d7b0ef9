'use client';
// One input bound to the form around it (react-hook-form's context): its value at `path`, and the
// errors the engine's schema reports at `errorPath` and below, shown once the input was left or a
// submit was tried; the server's always (until the next edit).
import { useController, useFormContext, useFormState } from 'react-hook-form';
import { errorsAt, flatErrorsOf } from './field-errors';

/** What every field bound to a form is given. */
export interface BoundFieldProps {
  /** Where the value lives in the form values. */
  path: string;
  /** Where the schema reports this field's errors in the config. */
  errorPath: string;
  label: string;
  hint?: string;
}

export function useField<T = unknown>(path: string, errorPath: string) {
  const { control } = useFormContext();
  const { field, fieldState } = useController({ name: path, control });
  const { errors: all, isSubmitted } = useFormState({ control });
  const shown = flatErrorsOf(all, (type) => type === 'server' || isSubmitted || fieldState.isTouched);
  return {
    value: field.value as T,
    onChange: (value: T) => field.onChange(value),
    onBlur: field.onBlur,
    /** The messages at `errorPath` and under it; `at` narrows to a part (a row's cell, "mounts.0.source"). */
    errorsFor: (at = errorPath) => errorsAt(shown, at),
  };
}
