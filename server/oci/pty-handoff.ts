// A terminal for a relay (relay.ts): the client's --console-socket must receive the pty master as
// SCM_RIGHTS, which Node.js cannot send, so a relay with a terminal is started through
// server/host-procs/pty-handoff/pty_handoff.py (Debian's python3, stdlib only). It sends the
// master, makes the slave its controlling terminal and fds 0-2, and execs the relay in its own
// place: the relay keeps the PID the runtime writes to --pid-file and finds its terminal on stdio.
import path from 'node:path';
import { EngineError } from '../engine/errors.js';
import { REPO_ROOT } from '../repo-root.js';

/** Debian's, by path: podman runs its runtime with a PATH we do not choose. */
export const PYTHON = '/usr/bin/python3';
export const PTY_HANDOFF = path.join(REPO_ROOT, 'server/host-procs/pty-handoff/pty_handoff.py');

export interface ConsoleSize {
  rows: number;
  columns: number;
}

/** The client's terminal: where its master goes, and the size the process starts with (null: the pty's default). */
export interface ConsoleRequest {
  socket: string;
  size: ConsoleSize | null;
}

/**
 * The console a left-behind relay's terminal goes to (null: no terminal). As runc: a process with a
 * terminal needs a console socket, and a console socket needs a terminal to send.
 */
export function consoleRequestOf(terminal: { size: ConsoleSize | null } | null, consoleSocket: string | null, what: string): ConsoleRequest | null {
  if (terminal && !consoleSocket) throw new EngineError('INVALID_ARGUMENT', `${what}: a terminal needs --console-socket, to send its pty master to`);
  if (!terminal && consoleSocket) throw new EngineError('INVALID_ARGUMENT', `--console-socket ${consoleSocket}: ${what} has no terminal to send`);
  return terminal && consoleSocket ? { socket: consoleSocket, size: terminal.size } : null;
}

/** The command line running `program args` as the relay behind a pty handed to `request.socket`. */
export function handoffCommand(request: ConsoleRequest, program: string, args: readonly string[]): { file: string; args: string[] } {
  const { rows, columns } = request.size ?? { rows: 0, columns: 0 };
  return { file: PYTHON, args: [PTY_HANDOFF, request.socket, String(rows), String(columns), program, ...args] };
}
