// The terminal WebSocket endpoint: an upgrade is accepted only from one of the console's own
// origins and with a live single-use ticket (offered in Sec-WebSocket-Protocol); the socket then belongs to the session the ticket
// names, for as long as its user may still use terminals (re-checked every second).
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { TERMINAL_SUBPROTOCOL, TERMINAL_WS_PATH, ticketFromProtocols } from './protocol.js';
import type { TerminalSessions } from './sessions.js';
import type { TerminalUser } from './tickets.js';

/** Larger frames are refused: the client chunks its input well below this. */
const MAX_FRAME_BYTES = 128 * 1024;
/** Dead peers (a laptop lid closed) are dropped after one missed WebSocket ping. */
const KEEPALIVE_MS = 30_000;
/** How often live connections are checked against their user's current access. */
const RECHECK_MS = 1_000;

export interface TerminalSocketOptions {
  /** The console's own origins (scheme://host:port); browsers send one with every WebSocket. */
  isAllowedOrigin(origin: string): boolean;
  /** Whether the user (and their login) may still use terminals: not logged out, disabled or demoted. */
  stillAllowed(user: TerminalUser): Promise<boolean>;
  /** How often live connections are re-checked (RECHECK_MS); tests stretch it to tell the event path from the poll. */
  recheckMs?: number;
}

export interface TerminalSocketServer {
  /** Takes the upgrade if it is for the terminal path; false leaves it to the next handler. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  close(): void;
}

export function createTerminalSocketServer(sessions: TerminalSessions, options: TerminalSocketOptions): TerminalSocketServer {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_FRAME_BYTES,
    // Answer with our subprotocol, never echo the ticket the client offered beside it.
    handleProtocols: (offered) => (offered.has(TERMINAL_SUBPROTOCOL) ? TERMINAL_SUBPROTOCOL : false),
  });
  const alive = new WeakSet<WebSocket>();
  const keepalive = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) ws.terminate();
      alive.delete(ws);
      ws.ping();
    }
  }, KEEPALIVE_MS);
  keepalive.unref();
  let checking = false;
  const recheck = setInterval(() => {
    if (checking) return;
    checking = true;
    void revokeLapsed(sessions, options).finally(() => (checking = false));
  }, options.recheckMs ?? RECHECK_MS);
  recheck.unref();

  const refuse = (socket: Duplex, status: number, text: string, why: string): true => {
    sessions.audit({ actor: 'anonymous', action: 'terminal.connect', podId: null, containerId: null, outcome: 'denied', message: why });
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    return true;
  };

  return {
    handleUpgrade(req, socket, head) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== TERMINAL_WS_PATH) return false;
      // Browsers let any site open a WebSocket to us (no CORS): only our own pages may.
      const origin = req.headers.origin;
      if (!origin || !options.isAllowedOrigin(origin)) return refuse(socket, 403, 'Forbidden', `refused the Origin ${JSON.stringify(origin ?? null)}`);
      const grant = sessions.tickets.redeem(ticketFromProtocols(req.headers['sec-websocket-protocol']) ?? '');
      if (!grant) return refuse(socket, 401, 'Unauthorized', 'refused a ticket that is unknown, expired or already used');
      wss.handleUpgrade(req, socket, head, (ws) => {
        alive.add(ws);
        ws.on('pong', () => alive.add(ws));
        // A protocol violation (an oversized frame) closes this socket; unhandled it would crash the server.
        ws.on('error', () => ws.terminate());
        const { user, podId, containerId, readOnly } = grant;
        const connected = sessions.connect(ws, grant);
        sessions.audit({
          actor: user.name,
          action: 'terminal.connect',
          podId,
          containerId,
          outcome: connected ? 'ok' : 'denied',
          message: connected ? `connected${readOnly ? ' read-only' : ''}` : 'the terminal session has ended',
          input: { sessionId: grant.sessionId, readOnly },
        });
        if (!connected) ws.close(1011, 'the terminal session has ended');
      });
      return true;
    },
    close() {
      clearInterval(keepalive);
      clearInterval(recheck);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

/** Closes the connections of users who lost their access elsewhere (another process, an expiry). */
async function revokeLapsed(sessions: TerminalSessions, options: TerminalSocketOptions): Promise<void> {
  for (const user of sessions.connectedUsers()) {
    const allowed = await options.stillAllowed(user).catch(() => false);
    if (!allowed && user.userId) await sessions.revoke({ userId: user.userId, loginId: user.loginId, reason: 'your access to terminals has ended' });
  }
}
