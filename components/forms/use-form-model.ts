'use client';
// Form state for the create forms: values, client errors from the shared schema (shown once a field
// was left or a submit was tried) and the server's field errors (shown until the next edit).
import { useMemo, useState } from 'react';
import { errorsAt, type FieldErrors } from './field-errors';
import { getIn, setIn } from './paths';
import type { Validation } from './container-form-model';

export interface FormModel<T> {
  values: T;
  get(path: string): unknown;
  set(path: string, value: unknown): void;
  update(change: (values: T) => T): void;
  touch(errorPath: string): void;
  errorsFor(errorPath: string): string[];
  /** Shows every error; returns the valid config, or null. */
  submit<C>(validate: (values: T) => Validation<C>): C | null;
  setServerErrors(errors: FieldErrors): void;
  /** Back to `values` as if nothing had been typed: no errors shown until the next submit. */
  reset(values: T): void;
}

/** What a single field needs from the form: nothing that depends on the values' type. */
export type FieldBinding = Pick<FormModel<unknown>, 'get' | 'set' | 'touch' | 'errorsFor'>;

/** What every field bound to a form model is given. */
export interface BoundFieldProps {
  form: FieldBinding;
  /** Where the value lives in the form values. */
  path: string;
  /** Where the schema reports this field's errors in the config. */
  errorPath: string;
  label: string;
  hint?: string;
}

export function useFormModel<T>(initial: T, validate: (values: T) => Validation<unknown>): FormModel<T> {
  const [values, setValues] = useState(initial);
  const [touched, setTouched] = useState<Set<string>>(new Set());
  const [showAll, setShowAll] = useState(false);
  const [serverErrors, setServerErrors] = useState<FieldErrors>({});
  const clientErrors = useMemo(() => validate(values).errors, [validate, values]);

  const update = (change: (values: T) => T) => {
    setValues(change);
    setServerErrors({});
  };
  const visible = (key: string) => showAll || [...touched].some((t) => key === t || key.startsWith(`${t}.`));
  return {
    values,
    get: (path) => getIn(values, path),
    set: (path, value) => update((v) => setIn(v, path, value)),
    update,
    touch: (errorPath) => setTouched((t) => (t.has(errorPath) ? t : new Set(t).add(errorPath))),
    errorsFor: (errorPath) => {
      const shown = Object.fromEntries(Object.entries(clientErrors).filter(([key]) => visible(key)));
      return [...new Set([...errorsAt(serverErrors, errorPath), ...errorsAt(shown, errorPath)])];
    },
    submit: (validateFor) => {
      setShowAll(true);
      const result = validateFor(values);
      return result.ok ? result.config : null;
    },
    setServerErrors,
    reset: (next) => {
      setValues(next);
      setTouched(new Set());
      setShowAll(false);
      setServerErrors({});
    },
  };
}
