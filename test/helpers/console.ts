// The console's API (tRPC + terminal WebSocket, no pages) on a real HTTP server on port 0, over a
// throw-away engine (mock/noop drivers) and the auth records in the same SQLite file, with one user
// per role. `http` speaks tRPC's HTTP format as a browser or a script would.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Context } from '../../server/api/trpc.js';
import { Auth, type Principal, type Role } from '../../server/auth/index.js';
import { CSRF_HEADER } from '../../server/auth/web-names.js';
import { openDatabase } from '../../server/engine/index.js';
import { createConsoleApi, type ConsoleApi } from '../../server/http/console-api.js';
import { originsFor } from '../../server/http/origins.js';
import type { TerminalEngine } from '../../server/terminal/index.js';
import { testEngine, type TestEngine } from './engine.js';

export const PASSWORD = 'correct horse battery';

export interface Login {
  cookie: string;
  csrfToken: string;
}

export interface CallOptions {
  login?: Login | undefined;
  bearer?: string;
  /** Defaults to the console's own origin for mutations; null sends none. */
  origin?: string | null;
  /** Overrides the login's CSRF token; null sends none. */
  csrf?: string | null;
}

export interface CallResult {
  status: number;
  data?: unknown;
  code?: string;
  message?: string;
}

export interface TestConsole extends AsyncDisposable {
  t: TestEngine;
  auth: Auth;
  api: ConsoleApi;
  origin: string;
  port: number;
  query(pathName: string, input?: unknown, opts?: CallOptions): Promise<CallResult>;
  mutate(pathName: string, input?: unknown, opts?: CallOptions): Promise<CallResult>;
  login(name: string, password?: string, source?: CallOptions): Promise<Login>;
  /** A tRPC context for createCaller, as `principal` (null: anonymous) calling from the console's own page. */
  contextAs(principal: Principal | null): Context;
}

/** A caller holding `role` through an API token (no CSRF token needed). */
export const principalOf = (role: Role): Principal => ({ userId: `id-${role}`, name: role, role, via: 'token' });

/** The console with users admin, operator and viewer (password PASSWORD). */
export async function testConsole(opts: { users?: Role[]; terminalEngine?: TerminalEngine; recordings?: boolean; locks?: { lockWaitMs: number; lockStaleMs: number }; terminalRecheckMs?: number } = {}): Promise<TestConsole> {
  const t = testEngine(opts.locks ?? {});
  const auth = new Auth(await openDatabase(`file:${path.join(t.dir, 'podvisor.db')}`), { ttlMs: 3_600_000, idleMs: 600_000 });
  for (const role of opts.users ?? (['admin', 'operator', 'viewer'] as const)) await auth.users.add({ name: role, role, password: PASSWORD });
  const server = http.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  const origins = originsFor('127.0.0.1', port);
  const api = createConsoleApi({ engine: t.vc, auth, origins, ...(opts.terminalEngine ? { terminalEngine: opts.terminalEngine } : {}), ...(opts.recordings ? { recordingsDir: path.join(t.dir, 'recordings') } : {}), ...(opts.terminalRecheckMs ? { terminalRecheckMs: opts.terminalRecheckMs } : {}) });
  server.on('request', (req, res) => api.handleRequest(req, res) || res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => api.handleUpgrade(req, socket, head) || socket.destroy());
  const origin = `http://127.0.0.1:${port}`;

  async function call(method: 'GET' | 'POST', pathName: string, input: unknown, o: CallOptions = {}): Promise<CallResult> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (o.login) headers['cookie'] = o.login.cookie;
    const csrf = o.csrf === undefined ? o.login?.csrfToken : o.csrf;
    if (csrf) headers[CSRF_HEADER] = csrf;
    if (o.bearer) headers['authorization'] = `Bearer ${o.bearer}`;
    const originHeader = o.origin === undefined ? (method === 'POST' ? origin : null) : o.origin;
    if (originHeader) headers['origin'] = originHeader;
    const query = method === 'GET' && input !== undefined ? `?input=${encodeURIComponent(JSON.stringify(input))}` : '';
    const res = await fetch(`${origin}/api/trpc/${pathName}${query}`, {
      method,
      headers,
      ...(method === 'POST' ? { body: JSON.stringify(input ?? null) } : {}),
    });
    const body = (await res.json().catch(() => ({}))) as { result?: { data?: unknown }; error?: { message?: string; data?: { engineError?: { code?: string } } } };
    const setCookie = res.headers.getSetCookie();
    return { status: res.status, data: body.result?.data, code: body.error?.data?.engineError?.code, message: body.error?.message, ...(setCookie.length ? { setCookie } : {}) };
  }

  return {
    t,
    auth,
    api,
    origin,
    port,
    query: (p, input, o) => call('GET', p, input, o),
    mutate: (p, input, o) => call('POST', p, input, o),
    async login(name, password = PASSWORD, o = {}) {
      const result = (await call('POST', 'auth.login', { username: name, password }, o)) as CallResult & { setCookie?: string[] };
      if (result.status !== 200 || !result.setCookie) throw new Error(`login as ${name} failed: ${result.status} ${result.code} ${result.message}`);
      const cookie = result.setCookie.map((c) => c.split(';')[0]).join('; ');
      return { cookie, csrfToken: (result.data as { csrfToken: string }).csrfToken };
    },
    contextAs: (principal) => ({
      engine: t.vc,
      auth,
      terminals: api.terminals,
      principal,
      request: { source: 'test', originAllowed: true, csrfToken: principal?.csrfToken ?? null },
      cookies: { set() {}, clear() {} },
    }),
    async [Symbol.asyncDispose]() {
      api.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
      await auth.close();
      await t[Symbol.asyncDispose]();
    },
  };
}
