// One terminal session registry per engine, shared by the tRPC router (which opens sessions and
// mints tickets) and the console server's WebSocket endpoint (which redeems them).
import { z } from 'zod';
import type { VC } from '../engine/index.js';
import { DEFAULT_GRACE_MS, TerminalSessions } from './sessions.js';

const registries = new WeakMap<VC, TerminalSessions>();

export function terminalSessionsFor(engine: VC): TerminalSessions {
  let sessions = registries.get(engine);
  if (!sessions) {
    const graceMs = z.coerce.number().int().min(0).default(DEFAULT_GRACE_MS).parse(process.env.PODVISOR_TERMINAL_GRACE_MS);
    sessions = new TerminalSessions(engine, graceMs);
    registries.set(engine, sessions);
  }
  return sessions;
}

export { createTerminalSocketServer } from './socket-server.js';
