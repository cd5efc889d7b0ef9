// The console's own origins. State-changing requests and terminal WebSockets must come from one of
// them, and every request must name one of their hosts (so a DNS-rebinding page gets nothing).
import { z } from 'zod';

export interface Origins {
  list: string[];
  isAllowed(origin: string): boolean;
  isAllowedHost(host: string | undefined): boolean;
  /** Whether the console is served over TLS (cookies then get the Secure flag). */
  secure: boolean;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** Whether a host name (as a URL's `hostname` spells it, or a listen address) is this machine's loopback. */
export const isLoopbackHost = (host: string): boolean => LOOPBACK.has(host);

/**
 * PODVISOR_ORIGIN (comma-separated, e.g. https://pods.example.com) when set; else the address the
 * server listens on, plus the other loopback names when that is loopback.
 */
export function originsFor(host: string, port: number, configured = process.env['PODVISOR_ORIGIN']): Origins {
  const fromEnv = configured?.split(',').map((o) => o.trim()).filter(Boolean);
  const hosts = isLoopbackHost(host) ? ['127.0.0.1', 'localhost', '[::1]'] : [host.includes(':') ? `[${host}]` : host];
  const list = (fromEnv?.length ? fromEnv : hosts.map((h) => `http://${h}:${port}`)).map((o) => z.url().parse(o)).map((o) => new URL(o).origin);
  const allowedHosts = new Set(list.map((o) => new URL(o).host));
  return {
    list,
    isAllowed: (origin) => list.includes(origin),
    isAllowedHost: (h) => !!h && allowedHosts.has(h.toLowerCase()),
    secure: list.every((o) => o.startsWith('https:')),
  };
}
