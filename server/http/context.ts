// Builds the tRPC context from an HTTP request: the caller (session cookie or bearer token), what
// the CSRF check needs, and the cookie writer for login and logout.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse, serialize } from 'cookie';
import type { Context } from '../api/trpc.js';
import type { Auth } from '../auth/index.js';
import { CSRF_COOKIE, CSRF_HEADER, SESSION_COOKIE } from '../auth/web-names.js';
import type { VC } from '../engine/index.js';
import type { TerminalSessions } from '../terminal/index.js';
import type { Origins } from './origins.js';

export interface ContextDeps {
  engine: VC;
  auth: Auth;
  terminals: TerminalSessions;
  origins: Origins;
}

export const sourceOf = (req: IncomingMessage): string => req.socket.remoteAddress ?? 'unknown';

/** The credentials a request carries: the session cookie's secret, or an `Authorization: Bearer` token. */
export function credentialsOf(req: IncomingMessage): { sessionSecret?: string | undefined; bearer?: string | undefined } {
  const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1];
  return { bearer, sessionSecret: parse(req.headers.cookie ?? '')[SESSION_COOKIE] };
}

function loginCookies(res: ServerResponse, secure: boolean): Context['cookies'] {
  const base = { path: '/', sameSite: 'strict' as const, secure };
  return {
    set(session) {
      res.appendHeader('Set-Cookie', [
        serialize(SESSION_COOKIE, session.secret, { ...base, httpOnly: true, expires: session.expiresAt }),
        serialize(CSRF_COOKIE, session.csrfToken, { ...base, expires: session.expiresAt }),
      ]);
    },
    clear() {
      res.appendHeader('Set-Cookie', [
        serialize(SESSION_COOKIE, '', { ...base, httpOnly: true, maxAge: 0 }),
        serialize(CSRF_COOKIE, '', { ...base, maxAge: 0 }),
      ]);
    },
  };
}

export async function createContext(deps: ContextDeps, req: IncomingMessage, res: ServerResponse): Promise<Context> {
  const origin = req.headers.origin;
  const csrf = req.headers[CSRF_HEADER];
  return {
    engine: deps.engine,
    auth: deps.auth,
    terminals: deps.terminals,
    principal: await deps.auth.authenticate(credentialsOf(req)),
    request: {
      source: sourceOf(req),
      originAllowed: origin === undefined || deps.origins.isAllowed(origin),
      csrfToken: typeof csrf === 'string' ? csrf : null,
    },
    cookies: loginCookies(res, deps.origins.secure),
  };
}
