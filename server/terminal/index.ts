// Terminals: the session registry (opened by tRPC procedures, which mint tickets) and the
// WebSocket endpoint (which redeems them).
import { z } from 'zod';
import { DEFAULT_GRACE_MS, TerminalSessions, type TerminalEngine, type TerminalOptions } from './sessions.js';

/** The registry for the console server, with the grace period from PODVISOR_TERMINAL_GRACE_MS. */
export function createTerminalSessions(engine: TerminalEngine, options: Omit<TerminalOptions, 'graceMs'> = {}): TerminalSessions {
  const graceMs = z.coerce.number().int().min(0).default(DEFAULT_GRACE_MS).parse(process.env['PODVISOR_TERMINAL_GRACE_MS']);
  return new TerminalSessions(engine, { ...options, graceMs });
}

export { TerminalSessions, type TerminalAuditRecord, type TerminalEngine } from './sessions.js';
export { createTerminalSocketServer, type TerminalSocketOptions } from './socket-server.js';
export type { TerminalUser } from './tickets.js';
