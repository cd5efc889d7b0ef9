// The terminal WebSocket endpoint: an upgrade is accepted only from the page's own origin and with
// a live single-use ticket; the socket then belongs to the session the ticket names.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { TERMINAL_WS_PATH } from './protocol.js';
import type { TerminalSessions } from './sessions.js';

/** Larger frames are refused: the client chunks its input well below this. */
const MAX_FRAME_BYTES = 128 * 1024;
/** Dead peers (a laptop lid closed) are dropped after one missed WebSocket ping. */
const KEEPALIVE_MS = 30_000;

export interface TerminalSocketServer {
  /** Takes the upgrade if it is for the terminal path; false leaves it to the next handler. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  close(): void;
}

export function createTerminalSocketServer(sessions: TerminalSessions): TerminalSocketServer {
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const alive = new WeakSet<WebSocket>();
  const keepalive = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) ws.terminate();
      alive.delete(ws);
      ws.ping();
    }
  }, KEEPALIVE_MS);
  keepalive.unref();

  return {
    handleUpgrade(req, socket, head) {
      const url = new URL(req.url ?? '/', 'http://localhost');
      if (url.pathname !== TERMINAL_WS_PATH) return false;
      // Browsers let any site open a WebSocket to us (no CORS): only our own pages may.
      if (!sameOrigin(req)) return refuse(socket, 403, 'Forbidden');
      const grant = sessions.tickets.redeem(url.searchParams.get('ticket') ?? '');
      if (!grant) return refuse(socket, 401, 'Unauthorized');
      wss.handleUpgrade(req, socket, head, (ws) => {
        alive.add(ws);
        ws.on('pong', () => alive.add(ws));
        if (!sessions.connect(ws, grant)) ws.close(1011, 'the terminal session has ended');
      });
      return true;
    },
    close() {
      clearInterval(keepalive);
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}

/** No Origin (a non-browser client) is allowed; a browser's must name our own host ("null" does not). */
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

function refuse(socket: Duplex, status: number, text: string): true {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  return true;
}
