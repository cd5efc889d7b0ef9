'use client';
// A form over useSchemaForm (use-schema-form.ts): on submit every error shows and only a valid
// value is handed on; a failed call's message goes above the actions. The small forms (login,
// users, tokens…) are this.
import type { ReactNode } from 'react';
import { FormProvider, type FieldValues } from 'react-hook-form';
import { errorMessage } from '../ui/error-message';
import type { SchemaForm } from './use-schema-form';

interface Props<V extends FieldValues, C> {
  form: SchemaForm<V, C>;
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

export function ModelForm<V extends FieldValues, C>({ form, onValid, label, submit, busy = false, error, actions, className, children }: Props<V, C>) {
  return (
    <FormProvider {...form}>
      <form className={className ? `form ${className}` : 'form'} aria-label={label} onSubmit={form.handleSubmit(onValid)}>
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
    </FormProvider>
  );
}
