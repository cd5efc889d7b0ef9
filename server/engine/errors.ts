// One error type for the whole engine. The code is a closed union that callers branch on and
// map exactly once (CLI exit codes in server/cli, tRPC codes in server/api); the message is for people.
import { ZodError } from 'zod';

export const ERROR_CODES = [
  'INVALID_CONFIG',
  'INVALID_ARGUMENT',
  'POD_NOT_FOUND',
  'CONTAINER_NOT_FOUND',
  'POD_EXISTS',
  'CONTAINER_EXISTS',
  'INVALID_STATE',
  'POD_BUSY',
  'NOT_SUPPORTED',
  'HYPERVISOR_FAILED',
  'AGENT_FAILED',
  'HOOK_FAILED',
  /** The host's networking (a CNI plugin, `ip`) failed; a wrong network config is INVALID_CONFIG. */
  'NETWORK_FAILED',
  'TIMEOUT',
  'STORE_FAILED',
  'INTERNAL',
  /** No valid login session or API token came with the call. */
  'UNAUTHENTICATED',
  /** The caller is known but may not do this: a lower role, or a host path outside the allowed roots. */
  'PERMISSION_DENIED',
  /** Too many attempts (logins); retry later. */
  'RATE_LIMITED',
  'USER_EXISTS',
  'USER_NOT_FOUND',
  'TOKEN_NOT_FOUND',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class EngineError extends Error {
  override readonly name = 'EngineError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toJSON() {
    return { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) };
  }
}

/** Renders a zod failure as "field.path: what is wrong; ..." so the caller sees which field is at fault. */
export function formatZodError(err: ZodError): string {
  return err.issues.map((i) => `${i.path.length ? i.path.join('.') : '(input)'}: ${i.message}`).join('; ');
}

export function invalidConfig(err: ZodError, what: string): EngineError {
  return new EngineError('INVALID_CONFIG', `Invalid ${what}: ${formatZodError(err)}`, {
    issues: err.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
  });
}

/** Wraps anything thrown into an EngineError, keeping the original as `cause`. */
export function toEngineError(err: unknown, fallback: ErrorCode = 'INTERNAL'): EngineError {
  if (err instanceof EngineError) return err;
  if (err instanceof ZodError) return invalidConfig(err, 'input');
  const message = err instanceof Error ? err.message : String(err);
  return new EngineError(fallback, message, undefined, { cause: err });
}
