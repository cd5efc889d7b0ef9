// tRPC set-up: the context (the engine) and the one place where EngineError codes become tRPC codes.
import { initTRPC, TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { ZodError } from 'zod';
import { EngineError, invalidConfig, toEngineError, type ErrorCode, type VC } from '../engine/index.js';

export interface Context {
  engine: VC;
}

const TRPC_CODES: Record<ErrorCode, TRPC_ERROR_CODE_KEY> = {
  INVALID_CONFIG: 'BAD_REQUEST',
  INVALID_ARGUMENT: 'BAD_REQUEST',
  POD_NOT_FOUND: 'NOT_FOUND',
  CONTAINER_NOT_FOUND: 'NOT_FOUND',
  POD_EXISTS: 'CONFLICT',
  CONTAINER_EXISTS: 'CONFLICT',
  INVALID_STATE: 'PRECONDITION_FAILED',
  POD_BUSY: 'CONFLICT',
  NOT_SUPPORTED: 'NOT_IMPLEMENTED',
  HYPERVISOR_FAILED: 'INTERNAL_SERVER_ERROR',
  AGENT_FAILED: 'INTERNAL_SERVER_ERROR',
  HOOK_FAILED: 'INTERNAL_SERVER_ERROR',
  TIMEOUT: 'TIMEOUT',
  STORE_FAILED: 'INTERNAL_SERVER_ERROR',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
  UNAUTHENTICATED: 'UNAUTHORIZED',
  PERMISSION_DENIED: 'FORBIDDEN',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
};

export function toTRPCError(err: unknown): TRPCError {
  if (err instanceof TRPCError) return err;
  const e = toEngineError(err);
  return new TRPCError({ code: TRPC_CODES[e.code], message: e.message, cause: e });
}

const t = initTRPC.context<Context>().create({
  isDev: false,
  errorFormatter({ shape, error }) {
    // Input rejected by a procedure's zod schema arrives as a ZodError: give it the engine's
    // INVALID_CONFIG shape, with a message that names each field.
    const engineError =
      error.cause instanceof ZodError ? invalidConfig(error.cause, 'input') : error.cause instanceof EngineError ? error.cause : null;
    return {
      ...shape,
      message: engineError?.message ?? shape.message,
      data: { ...shape.data, engineError: engineError?.toJSON() ?? null },
    };
  },
});

/** Every engine error thrown inside a procedure leaves as a TRPCError carrying the engine's code. */
const engineErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) throw toTRPCError(result.error.cause instanceof EngineError ? result.error.cause : result.error);
  return result;
});

export const router = t.router;
export const procedure = t.procedure.use(engineErrors);
export const createCallerFactory = t.createCallerFactory;
