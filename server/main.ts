// The console server: one HTTP port for Next's pages and the tRPC API (WebSocket upgrades for
// terminals join here). Shutting down closes connections and the store; pods keep running.
import http from 'node:http';
import next from 'next';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { z } from 'zod';
import { appRouter } from './api/root.js';
import { REPO_ROOT } from './config.js';
import { openEngine } from './engine/index.js';
import { createTerminalSocketServer, terminalSessionsFor } from './terminal/index.js';

const env = z
  .object({
    PORT: z.coerce.number().int().min(1).max(65_535).default(3000),
    // Loopback by default: until users and roles exist, anyone who reaches the port controls the pods.
    HOST: z.string().default('127.0.0.1'),
    NODE_ENV: z.string().default('production'),
  })
  .parse(process.env);

const engine = await openEngine();
const app = next({ dev: env.NODE_ENV === 'development', dir: REPO_ROOT, hostname: env.HOST, port: env.PORT });
await app.prepare();
const handleNext = app.getRequestHandler();
const handleTrpc = createHTTPHandler({ router: appRouter, basePath: '/api/trpc/', createContext: () => ({ engine }) });

const server = http.createServer((req, res) => {
  if (req.url?.startsWith('/api/trpc/')) handleTrpc(req, res);
  else void handleNext(req, res);
});
const handleUpgrade = app.getUpgradeHandler();
const terminalSockets = createTerminalSocketServer(terminalSessionsFor(engine));
server.on('upgrade', (req, socket, head) => terminalSockets.handleUpgrade(req, socket, head) || void handleUpgrade(req, socket, head));

server.listen(env.PORT, env.HOST, () => console.log(`podvisor console on http://${env.HOST}:${env.PORT}`));

async function shutdown(signal: string) {
  console.log(`podvisor: ${signal}, closing (pods keep running)`);
  terminalSessionsFor(engine).closeAll();
  terminalSockets.close();
  server.close();
  server.closeAllConnections();
  await engine.close();
  await app.close();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
