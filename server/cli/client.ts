// Where the CLI's calls go. Every command calls the console's own tRPC procedures, through one
// typed client: in this process on the local engine (a local link, acting as the host's
// administrator), or with --url over HTTP to a console with the API token in PODVISOR_TOKEN. Both
// ways run the same validation, return the same JSON and write the same audit entry (the
// procedures' guard does, here or on the server), and fail with the same engine error codes.
import { createTRPCClient, httpLink, TRPCClientError, unstable_localLink, type TRPCClient } from '@trpc/client';
import { appRouter, type AppRouter } from '../api/root.js';
import type { Context } from '../api/trpc.js';
import { cliPrincipal, openAuth } from '../auth/index.js';
import { EngineError, ERROR_CODES, openEngine, toEngineError, type ErrorCode, type VC } from '../engine/index.js';
import { isLoopbackHost } from '../http/origins.js';
import type { TerminalSessions } from '../terminal/index.js';
import { hostRouter, type HostRouter } from './host-router.js';
import { TOKEN_ENV } from './token-env.js';

export type Api = TRPCClient<AppRouter>;

export interface Connection {
  api: Api;
  /** This host's engine and its host-only calls; null when the calls go to a console (--url). */
  local: { vc: VC; host: TRPCClient<HostRouter> } | null;
  /** The engine error behind anything a call threw. */
  errorOf(err: unknown): EngineError;
  close(): Promise<void>;
}

export { TOKEN_ENV } from './token-env.js';

const isErrorCode = (code: unknown): code is ErrorCode => ERROR_CODES.includes(code as ErrorCode);

/** A tRPC error carries the engine error as data.engineError (server/api/trpc.ts's error formatter). */
function engineErrorOf(err: unknown): EngineError {
  if (err instanceof TRPCClientError) {
    const sent = (err.data as { engineError?: { code?: unknown; message?: string; details?: Record<string, unknown> } } | undefined)?.engineError;
    // A code this CLI does not know (a newer console) must still fail, and not with exit code 0.
    if (sent) return new EngineError(isErrorCode(sent.code) ? sent.code : 'INTERNAL', sent.message ?? err.message, sent.details);
    if (err.cause instanceof EngineError) return err.cause;
  }
  return toEngineError(err);
}

/** Terminal sessions live in the console server, whose WebSocket redeems their tickets: in here there is none to open. */
const NO_TERMINALS = new Proxy({} as TerminalSessions, {
  get() {
    throw new EngineError('NOT_SUPPORTED', 'Terminal sessions are served by the console; here, use podvisor container enter');
  },
});

async function connectLocal(): Promise<Connection> {
  const vc = await openEngine();
  const auth = await openAuth().catch(async (err: unknown) => {
    await vc.close();
    throw err;
  });
  const context: Context = {
    engine: vc,
    auth,
    terminals: NO_TERMINALS,
    // Whoever can run this CLI can read the database: it acts as the host's administrator.
    principal: cliPrincipal(),
    request: { source: 'local', originAllowed: true, csrfToken: null },
    cookies: { set() {}, clear() {} },
  };
  const createContext = async () => context;
  return {
    api: createTRPCClient<AppRouter>({ links: [unstable_localLink({ router: appRouter, createContext })] }),
    local: { vc, host: createTRPCClient<HostRouter>({ links: [unstable_localLink({ router: hostRouter, createContext })] }) },
    errorOf: engineErrorOf,
    async close() {
      await vc.close();
      await auth.close();
    },
  };
}

function consoleUrl(url: string): URL {
  let base: URL;
  try {
    base = new URL(url);
  } catch {
    throw new EngineError('INVALID_ARGUMENT', `--url ${url} is not a URL (e.g. http://127.0.0.1:3000)`);
  }
  if (!['http:', 'https:'].includes(base.protocol)) throw new EngineError('INVALID_ARGUMENT', `--url ${url} must be an http:// or https:// address`);
  return base;
}

/** fetch, with what went wrong on the way said plainly: no answer, or an answer that is not the tRPC API. */
function fetchFrom(base: URL): typeof fetch {
  return async (input, init) => {
    let res: Response;
    try {
      res = await fetch(input, init);
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new EngineError('INTERNAL', `Cannot reach the console at ${base.origin}: ${cause?.code ?? cause?.message ?? (err as Error).message}`);
    }
    if (!res.headers.get('content-type')?.includes('application/json')) {
      const hint = res.status === 421 ? ' (the console does not serve this host name: set PODVISOR_ORIGIN on it)' : '';
      throw new EngineError('INTERNAL', `${base.origin} answered HTTP ${res.status} ${res.statusText}, not the Podvisor API${hint}: is --url right?`);
    }
    return res;
  };
}

function connectRemote(address: string): Connection {
  const base = consoleUrl(address);
  const token = process.env[TOKEN_ENV];
  if (!token) {
    throw new EngineError('UNAUTHENTICATED', `--url needs an API token: set ${TOKEN_ENV} (made on the console's Tokens page, or with podvisor token create on its host)`);
  }
  if (base.protocol === 'http:' && !isLoopbackHost(base.hostname)) {
    process.stderr.write(`podvisor: warning: ${TOKEN_ENV} goes to ${base.host} unencrypted; use https:// beyond this machine\n`);
  }
  // Relative to the console's address, which may sit below a path on a proxy.
  const url = new URL(`${base.pathname.replace(/\/?$/, '/')}api/trpc`, base.origin);
  return {
    api: createTRPCClient<AppRouter>({ links: [httpLink({ url, headers: { authorization: `Bearer ${token}` }, fetch: fetchFrom(base) })] }),
    local: null,
    errorOf(err) {
      const error = engineErrorOf(err);
      if (error.code !== 'UNAUTHENTICATED') return error;
      return new EngineError('UNAUTHENTICATED', `${base.origin} refused ${TOKEN_ENV}: it is unknown, revoked or expired, or its user is disabled`);
    },
    close: async () => undefined,
  };
}

/** The console at `url` (with PODVISOR_TOKEN), or this host's engine when `url` is not given. */
export function connect(url: string | undefined): Promise<Connection> {
  // An empty PODVISOR_URL means unset, as shells have it.
  return url ? Promise.resolve(connectRemote(url)) : connectLocal();
}
