'use client';
// Every console form is react-hook-form with @hookform/resolvers' zod resolver. Chosen over
// TanStack Form for its zod resolver, which takes the shared schemas as they are, and for its form
// context, which lets the shared field components bind by path without a form object in props.
//
// The values are what the inputs hold (strings, rows); the shared schema (the engine's, or the
// auth module's) judges what the pure mapper makes of them (`*-form-model.ts`), so its errors are
// keyed by config paths ("vmConfig.vcpus"), not by the input's path ("vcpus"). react-hook-form
// re-validates one field by its own name, which would miss those keys: every edit re-runs the
// whole schema instead (trigger()), and each field shows the errors at its config path (use-field.ts).
import { zodResolver } from '@hookform/resolvers/zod';
import { useEffect } from 'react';
import { useForm, type DefaultValues, type FieldValues, type Path, type UseFormReturn } from 'react-hook-form';
import { z } from 'zod';
import type { Validation } from './container-form-model';
import type { FieldErrors } from './field-errors';

/** A zod schema over the form's values: the mapper and the shared schema (in `validate`), errors at config paths. */
export function formSchemaOf<V, C>(validate: (values: V) => Validation<C>) {
  return z.custom<V>().transform((values, ctx) => {
    const result = validate(values);
    for (const [path, message] of Object.entries(result.errors)) ctx.issues.push({ code: 'custom', path: path.split('.'), message, input: values });
    return result.ok ? result.config : z.NEVER;
  });
}

export type SchemaForm<V extends FieldValues, C> = UseFormReturn<V, unknown, C>;

export function useSchemaForm<V extends FieldValues, C>(initial: V, validate: (values: V) => Validation<C>): SchemaForm<V, C> {
  const form = useForm<V, unknown, C>({
    defaultValues: initial as DefaultValues<V>,
    resolver: zodResolver(formSchemaOf(validate)),
    // The resolver runs on submit and on every edit (below), never per field.
    mode: 'onSubmit',
    reValidateMode: 'onSubmit',
  });
  useEffect(() => {
    // Also drops the server's errors: they are shown until the next edit.
    const { unsubscribe } = form.watch(() => void form.trigger());
    return unsubscribe;
  }, [form]);
  return form;
}

/** The server's field errors (fieldErrorsOfServer), shown at their config paths until the next edit. */
export function showServerErrors<V extends FieldValues>(form: UseFormReturn<V, unknown, unknown>, errors: FieldErrors): void {
  for (const [path, message] of Object.entries(errors)) form.setError(path as Path<V>, { type: 'server', message });
}
