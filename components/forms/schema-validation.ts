// A form model's validate function from a shared zod schema: the parsed value, or errors by field path.
import { z } from 'zod';
import type { Validation } from './container-form-model';
import { fieldErrorsOfZod } from './field-errors';

export function validatorOf<S extends z.ZodType>(schema: S): (values: unknown) => Validation<z.output<S>> {
  return (values) => {
    const result = schema.safeParse(values);
    return result.success ? { ok: true, config: result.data, errors: {} } : { ok: false, errors: fieldErrorsOfZod(result.error) };
  };
}

/** `schema` plus a `confirm` field that must repeat `field` (a new password, typed twice). */
export function withConfirmation<Shape extends z.ZodRawShape>(schema: z.ZodObject<Shape>, field: keyof Shape & string) {
  return schema.extend({ confirm: z.string() }).refine((v: Record<string, unknown>) => v[field] === v['confirm'], { path: ['confirm'], message: 'does not match' });
}
