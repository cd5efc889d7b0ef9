// Field errors keyed by config path ("containers.0.rootFs"), from the shared zod schemas on the client
// or from the server's engineError.details.issues: one shape, so both show next to the same field.
import type { ZodError } from 'zod';

export type FieldErrors = Record<string, string>;

interface Issue {
  path: readonly PropertyKey[];
  message: string;
}

function readable(message: string): string {
  return /received NaN/.test(message) ? 'must be a number' : message.replace(/^Invalid input: /, '');
}

/** Issues → the first message per path; `stripPrefix` drops a wrapper such as the "config" of {podId, config}. */
export function fieldErrorsOf(issues: readonly Issue[], stripPrefix?: string): FieldErrors {
  const errors: FieldErrors = {};
  for (const issue of issues) {
    let parts = issue.path.map(String);
    if (stripPrefix && parts[0] === stripPrefix) parts = parts.slice(1);
    const key = parts.join('.');
    errors[key] ??= readable(issue.message);
  }
  return errors;
}

export function fieldErrorsOfZod(error: ZodError, stripPrefix?: string): FieldErrors {
  return fieldErrorsOf(error.issues, stripPrefix);
}

/** The server's field errors: INVALID_CONFIG issues, a driver's single `details.field`, or an ID taken. */
export function fieldErrorsOfServer(error: unknown, stripPrefix?: string): FieldErrors {
  const engineError = (error as { data?: { engineError?: { code: string; message: string; details?: Record<string, unknown> } | null } })?.data?.engineError;
  const details = engineError?.details;
  // The only ID a create form submits is its own: an existing one is that field's error.
  if (engineError?.code === 'POD_EXISTS' || engineError?.code === 'CONTAINER_EXISTS') return { id: engineError.message };
  if (Array.isArray(details?.['issues'])) return fieldErrorsOf(details['issues'] as Issue[], stripPrefix);
  if (typeof details?.['field'] === 'string') return fieldErrorsOf([{ path: details['field'].split('.'), message: engineError!.message }], stripPrefix);
  return {};
}

/**
 * Messages for the field at `path` and everything under it. A list field (one item a line) shows
 * its items' errors as "line 2: hostPath must be an absolute path".
 */
export function errorsAt(errors: FieldErrors, path: string): string[] {
  return Object.entries(errors).flatMap(([key, message]) => {
    if (key === path) return [message];
    if (!key.startsWith(`${path}.`)) return [];
    const [index, ...rest] = key.slice(path.length + 1).split('.');
    const where = /^\d+$/.test(index!) ? `line ${Number(index) + 1}` : index;
    return [`${[where, ...rest].join(' ')}: ${message}`];
  });
}

/**
 * react-hook-form's nested errors back to FieldErrors by config path, keeping those `show` accepts
 * by their type ("server" or a schema issue's code). A list's own error sits at its `root`.
 */
export function flatErrorsOf(errors: object, show: (type: string) => boolean, prefix = ''): FieldErrors {
  const flat: FieldErrors = {};
  const { type, message } = errors as { type?: unknown; message?: unknown };
  // A leaf (an error) may also hold its children's errors, when both were set.
  if (typeof type === 'string' && typeof message === 'string' && message && show(type)) flat[prefix] = message;
  for (const [key, node] of Object.entries(errors)) {
    if (!node || typeof node !== 'object' || LEAF_KEYS.has(key)) continue;
    const path = key === 'root' ? prefix : prefix ? `${prefix}.${key}` : key;
    for (const [at, text] of Object.entries(flatErrorsOf(node, show, path))) flat[at] ??= text;
  }
  return flat;
}

const LEAF_KEYS = new Set(['type', 'message', 'ref', 'types']);
