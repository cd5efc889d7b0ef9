// The console's API without its pages: tRPC over HTTP and the terminal WebSocket, with the checks
// every request passes (Host, then the tRPC guard or the ticket). server/main.ts adds Next's pages;
// tests serve this alone.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { appRouter } from '../api/root.js';
import { roleAtLeast, type Auth } from '../auth/index.js';
import type { VC } from '../engine/index.js';
import { createTerminalSessions, createTerminalSocketServer, type TerminalEngine, type TerminalSessions, type TerminalUser } from '../terminal/index.js';
import { createContext } from './context.js';
import { closeProgressBoard } from '../live/progress-board.js';
import { Recordings } from '../terminal/recordings.js';
import { stopMetricsSampler } from '../metrics/sampler.js';
import { METRICS_PATH, serveMetrics } from './metrics-route.js';
import { isRecordingFile, serveRecording } from './recording-route.js';
import type { Origins } from './origins.js';
import { setSecurityHeaders } from './pages.js';

export const API_PREFIX = '/api/trpc/';

export interface ConsoleApi {
  terminals: TerminalSessions;
  /** Answers API requests and refuses unknown Hosts; false leaves the request to the pages. */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean;
  /** Takes terminal upgrades (and refuses unknown Hosts); false leaves the upgrade to the next handler. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  close(): void;
}

/** `terminalEngine`: what terminals enter and attach to, the engine unless a test fakes the processes. */
/** `recordingsDir`: where terminal sessions are recorded (asciicast files); without it, none are. */
/** `terminalRecheckMs`: how often live terminals are re-checked against their user's access (socket-server.ts). */
export function createConsoleApi(deps: { engine: VC; auth: Auth; origins: Origins; terminalEngine?: TerminalEngine; recordingsDir?: string; terminalRecheckMs?: number }): ConsoleApi {
  const { engine, auth, origins } = deps;
  const recordings = deps.recordingsDir ? new Recordings(auth.db, deps.recordingsDir) : null;
  const pruneRecordings = () => void recordings?.prune().catch(() => {});
  pruneRecordings();
  const pruneTimer = recordings ? setInterval(pruneRecordings, 3_600_000).unref() : undefined;
  const terminals = createTerminalSessions(deps.terminalEngine ?? engine, {
    ...(recordings ? { recordings } : {}),
    audit: (record) => void auth.audit.record({ ...record, via: record.actor === 'anonymous' ? 'anonymous' : 'session' }).catch(() => {}),
  });
  const onRevoked = ({ userId, sessionId, reason }: { userId: string; sessionId?: string; reason: string }) =>
    void terminals.revoke({ userId, loginId: sessionId, reason });
  auth.revocations.on('revoked', onRevoked);

  const handleTrpc = createHTTPHandler({
    router: appRouter,
    basePath: API_PREFIX,
    // Bodies over 1 MiB are refused before parsing (a PodConfig is a few KiB).
    maxBodySize: 1024 * 1024,
    createContext: ({ req, res }) => createContext({ engine, auth, terminals, origins }, req, res),
  });

  /** Terminal access lasts while the user is enabled, still an operator, and (browser) still logged in. */
  async function stillAllowed(user: TerminalUser): Promise<boolean> {
    if (!user.userId) return false;
    const current = await auth.users.byId(user.userId);
    // The role terminal.* procedures declare (server/api/routers/terminal.ts).
    if (!current || current.disabled || !roleAtLeast(current.role, 'operator')) return false;
    return !user.loginId || auth.sessions.isLive(user.loginId);
  }
  const sockets = createTerminalSocketServer(terminals, { isAllowedOrigin: origins.isAllowed, stillAllowed, ...(deps.terminalRecheckMs ? { recheckMs: deps.terminalRecheckMs } : {}) });

  return {
    terminals,
    handleRequest(req, res) {
      setSecurityHeaders(res, origins);
      // A page on another site that resolves its name to us (DNS rebinding) names its own host.
      if (!origins.isAllowedHost(req.headers.host)) {
        res.writeHead(421).end('Misdirected request: unknown Host\n');
        return true;
      }
      if (recordings && isRecordingFile(req.url)) {
        serveRecording({ auth, recordings }, req, res).catch(() => res.headersSent || res.writeHead(500).end());
        return true;
      }
      if (req.url?.split('?')[0] === METRICS_PATH) {
        serveMetrics({ engine, auth }, req, res).catch(() => res.headersSent || res.writeHead(500).end());
        return true;
      }
      if (!req.url?.startsWith(API_PREFIX)) return false;
      handleTrpc(req, res);
      return true;
    },
    handleUpgrade(req, socket, head) {
      if (origins.isAllowedHost(req.headers.host)) return sockets.handleUpgrade(req, socket, head);
      socket.destroy();
      return true;
    },
    close() {
      auth.revocations.off('revoked', onRevoked);
      terminals.closeAll();
      sockets.close();
      clearInterval(pruneTimer);
      stopMetricsSampler(engine);
      closeProgressBoard(engine);
    },
  };
}
