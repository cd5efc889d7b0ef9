'use client';
// A form over a form model: on submit it shows every error and hands on only a valid value; a
// failed call's message goes above the actions. The small forms (login, users, tokens…) are this.
import type { ReactNode } from 'react';
import { errorMessage } from '../ui/error-message';
import type { Validation } from './container-form-model';
import type { FormModel } from './use-form-model';

interface Props<T, C> {
  form: FormModel<T>;
  validate: (values: T) => Validation<C>;
  onValid: (value: C) => void;
  /** The form's accessible name. */
  label: string;
  /** The submit button's text; it is disabled while `busy` (the call is on its way). */
  submit: string;
  busy?: boolean;
  /** The last call's error (a mutation's `error`), or null. */
  error?: unknown;
  /** What follows the submit button (a cancel button, a hint). */
  actions?: ReactNode;
  className?: string;
  children: ReactNode;
}

export function ModelForm<T, C>({ form, validate, onValid, label, submit, busy = false, error, actions, className, children }: Props<T, C>) {
  return (
    <form
      className={className ? `form ${className}` : 'form'}
      aria-label={label}
      onSubmit={(e) => {
        e.preventDefault();
        const value = form.submit(validate);
        if (value) onValid(value);
      }}
    >
      {children}
      {error ? (
        <p className="inline-error" role="alert">
          {errorMessage(error)}
        </p>
      ) : null}
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {submit}
        </button>
        {actions}
      </div>
    </form>
  );
}
