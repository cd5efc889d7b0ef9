// tRPC set-up: the context, the one place where EngineError codes become tRPC codes, and the one
// guard every procedure passes: its declared role, CSRF for state changes, and the audit log.
import { initTRPC, TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { TRPC_ERROR_CODES_BY_KEY, type TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { ZodError } from 'zod';
import { actorOf, roleAtLeast, sameSecret, type Auth, type Principal, type Role } from '../auth/index.js';
import { EngineError, invalidConfig, toEngineError, type ErrorCode, type VC } from '../engine/index.js';
import type { TerminalSessions } from '../terminal/index.js';

/** What the HTTP layer learned about the request, before any procedure runs. */
export interface RequestFacts {
  /** The client's address, for the login rate limit and the audit log. */
  source: string;
  /** False when the request carries an Origin header that is not one of the console's origins. */
  originAllowed: boolean;
  /** The x-csrf-token header, which a browser session must send with every state change. */
  csrfToken: string | null;
}

export interface LoginCookies {
  set(session: { secret: string; csrfToken: string; expiresAt: Date }): void;
  clear(): void;
}

export interface Context {
  engine: VC;
  auth: Auth;
  terminals: TerminalSessions;
  principal: Principal | null;
  request: RequestFacts;
  cookies: LoginCookies;
}

/** `public` procedures (login, first-run set-up) are the only ones open to anonymous callers. */
export interface Meta {
  role: Role | 'public';
  /** The procedure writes its own audit entry (login, which knows the attempted name). */
  auditsItself?: boolean;
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
  NETWORK_FAILED: 'INTERNAL_SERVER_ERROR',
  AGENT_FAILED: 'INTERNAL_SERVER_ERROR',
  HOOK_FAILED: 'INTERNAL_SERVER_ERROR',
  TIMEOUT: 'TIMEOUT',
  STORE_FAILED: 'INTERNAL_SERVER_ERROR',
  INTERNAL: 'INTERNAL_SERVER_ERROR',
  UNAUTHENTICATED: 'UNAUTHORIZED',
  PERMISSION_DENIED: 'FORBIDDEN',
  RATE_LIMITED: 'TOO_MANY_REQUESTS',
  USER_EXISTS: 'CONFLICT',
  USER_NOT_FOUND: 'NOT_FOUND',
  TOKEN_NOT_FOUND: 'NOT_FOUND',
};

/** tRPC's own refusals (no such procedure, unparsable body, wrong method) in engine codes. */
const FROM_TRPC: Partial<Record<TRPC_ERROR_CODE_KEY, ErrorCode>> = {
  PARSE_ERROR: 'INVALID_ARGUMENT',
  BAD_REQUEST: 'INVALID_ARGUMENT',
  NOT_FOUND: 'INVALID_ARGUMENT',
  METHOD_NOT_SUPPORTED: 'INVALID_ARGUMENT',
  PAYLOAD_TOO_LARGE: 'INVALID_ARGUMENT',
  UNAUTHORIZED: 'UNAUTHENTICATED',
  FORBIDDEN: 'PERMISSION_DENIED',
};

/** The engine error inside whatever a procedure threw (zod input failures become INVALID_CONFIG). */
export function engineErrorOf(err: unknown): EngineError {
  const cause = err instanceof TRPCError ? (err.cause ?? err) : err;
  if (cause instanceof TRPCError) return new EngineError(FROM_TRPC[cause.code] ?? 'INTERNAL', cause.message);
  // tRPC reports a request body that is not JSON as a bare SyntaxError.
  if (err instanceof TRPCError && cause instanceof SyntaxError) return new EngineError('INVALID_ARGUMENT', `The request is not valid JSON: ${cause.message}`);
  return cause instanceof ZodError ? invalidConfig(cause, 'input') : toEngineError(cause);
}

export function toTRPCError(err: unknown): TRPCError {
  const e = engineErrorOf(err);
  return new TRPCError({ code: TRPC_CODES[e.code], message: e.message, cause: e });
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    isDev: false,
    // The engine code decides the tRPC code and the HTTP status, whatever raised the error.
    errorFormatter({ shape, error }) {
      const engineError = engineErrorOf(error);
      const code = TRPC_CODES[engineError.code];
      const httpStatus = getHTTPStatusCodeFromError(new TRPCError({ code }));
      return {
        ...shape,
        code: TRPC_ERROR_CODES_BY_KEY[code],
        message: engineError.message,
        data: { ...shape.data, code, httpStatus, engineError: engineError.toJSON() },
      };
    },
  });

/** Refuses a state change that a browser could have been tricked into sending from another site. */
function checkCrossSite(ctx: Context): void {
  if (!ctx.request.originAllowed) throw new EngineError('PERMISSION_DENIED', 'Cross-site request refused: its Origin is not this console');
  const expected = ctx.principal?.via === 'session' ? ctx.principal.csrfToken : undefined;
  if (expected !== undefined && !sameSecret(ctx.request.csrfToken ?? '', expected)) {
    throw new EngineError('PERMISSION_DENIED', 'Cross-site request refused: missing or wrong CSRF token');
  }
}

function checkRole(principal: Principal | null, role: Meta['role'] | undefined): void {
  // A procedure that forgot to declare its role is closed to everyone.
  if (!role) throw new EngineError('PERMISSION_DENIED', 'This procedure declares no role');
  if (role === 'public') return;
  if (!principal) throw new EngineError('UNAUTHENTICATED', 'Log in first');
  if (!roleAtLeast(principal.role, role)) throw new EngineError('PERMISSION_DENIED', `This needs the ${role} role; ${principal.name} is ${principal.role}`);
}

/** The pod and container a call targets, when its input names them (a new pod or container by its config's id). */
function targetOf(path: string, input: unknown): { podId: string | null; containerId: string | null } {
  const field = (from: unknown, name: string): unknown => (typeof from === 'object' && from !== null ? (from as Record<string, unknown>)[name] : undefined);
  const text = (value: unknown) => (typeof value === 'string' ? value.slice(0, 256) : null);
  const newPod = path === 'pod.create' || path === 'pod.run';
  const newContainer = path === 'container.create' ? text(field(field(input, 'config'), 'id')) : null;
  return { podId: text(field(input, newPod ? 'id' : 'podId')), containerId: newContainer ?? text(field(input, 'containerId')) };
}

const guard = t.middleware(async ({ ctx, meta, path, type, getRawInput, next }) => {
  const input = await getRawInput().catch(() => undefined);
  const audit = (outcome: 'ok' | 'error' | 'denied', error?: EngineError) =>
    ctx.auth.audit
      .record({ ...actorOf(ctx.principal), action: path, ...targetOf(path, input), input, outcome, errorCode: error?.code, message: error?.message, source: ctx.request.source })
      .catch(() => {});
  try {
    checkRole(ctx.principal, meta?.role);
    if (type === 'mutation') checkCrossSite(ctx);
  } catch (err) {
    // Refusals are audited for every kind of call, so probing shows up in the log.
    await audit('denied', err as EngineError);
    throw toTRPCError(err);
  }
  const result = await next();
  if (!result.ok) {
    const error = engineErrorOf(result.error);
    if (type === 'mutation' && !meta?.auditsItself) await audit('error', error);
    throw toTRPCError(error);
  }
  if (type === 'mutation' && !meta?.auditsItself) await audit('ok');
  return result;
});

const guarded = t.procedure.use(guard);

export const router = t.router;
export const publicProcedure = guarded.meta({ role: 'public' });
export const viewerProcedure = guarded.meta({ role: 'viewer' });
export const operatorProcedure = guarded.meta({ role: 'operator' });
export const adminProcedure = guarded.meta({ role: 'admin' });
export const createCallerFactory = t.createCallerFactory;
