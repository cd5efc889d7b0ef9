// What every page response gets before Next renders it: security headers, a per-request CSP nonce
// (Next reads it from the request's CSP header and puts it on its own scripts), and the login gate.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Auth } from '../auth/index.js';
import { credentialsOf } from './context.js';
import type { Origins } from './origins.js';

/** Pages anyone may load: the login and first-run pages, and Next's static build output. */
const OPEN_PATHS = [/^\/login\/?$/, /^\/setup\/?$/, /^\/_next\//, /^\/favicon\.ico$/];
const ADMIN_PATHS = /^\/admin(\/|$)/;

export function setSecurityHeaders(res: ServerResponse, origins: Origins): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), usb=(), serial=()');
  if (origins.secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000');
}

/**
 * A terminal on a page is a shell for any script on that page: scripts run only with this
 * request's nonce (and what they load, 'strict-dynamic'); nothing may frame the page.
 */
export function contentSecurityPolicy(nonce: string, origins: Origins, dev: boolean): string {
  // 'self' covers same-origin WebSockets in current browsers; the explicit ws: sources are for
  // older ones. IPv6 literals are not valid CSP sources, and Chromium warns about them.
  const sockets = origins.list.filter((o) => !o.includes('[')).map((o) => o.replace(/^http/, 'ws'));
  return [
    "default-src 'self'",
    // 'wasm-unsafe-eval' compiles WebAssembly only (the recording player's terminal emulator), never JS strings.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic' 'wasm-unsafe-eval'${dev ? " 'unsafe-eval'" : ''}`,
    // xterm.js and React set inline styles; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ${sockets.join(' ')}`,
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Sets the CSP on the response and, for Next to find the nonce, on the request. */
export function applyContentSecurityPolicy(req: IncomingMessage, res: ServerResponse, origins: Origins, dev: boolean): void {
  const policy = contentSecurityPolicy(randomBytes(16).toString('base64'), origins, dev);
  req.headers['content-security-policy'] = policy;
  res.setHeader('Content-Security-Policy', policy);
}

function redirect(res: ServerResponse, location: string): true {
  res.writeHead(303, { Location: location, 'Cache-Control': 'no-store' }).end();
  return true;
}

/** Sends anonymous visitors to /login (or /setup on a fresh install) and non-admins away from /admin; true if it answered. */
export async function gatePage(req: IncomingMessage, res: ServerResponse, auth: Auth): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (OPEN_PATHS.some((p) => p.test(url.pathname))) return false;
  // Pages are for browsers: only the session cookie logs a page in, never a bearer token.
  const principal = await auth.authenticate({ sessionSecret: credentialsOf(req).sessionSecret });
  if (!principal) {
    if ((await auth.users.count()) === 0) return redirect(res, '/setup');
    return redirect(res, `/login?next=${encodeURIComponent(url.pathname + url.search)}`);
  }
  if (ADMIN_PATHS.test(url.pathname) && principal.role !== 'admin') return redirect(res, '/');
  res.setHeader('Cache-Control', 'no-store');
  return false;
}
