// The console server: one HTTP port for the API (tRPC, terminal WebSockets: server/http/console-api.ts)
// and Next's pages, which pass the login gate and get a CSP first. Shutting down closes
// connections and the store; pods keep running.
import http from 'node:http';
import path from 'node:path';
import next from 'next';
import { z } from 'zod';
import { openAuth } from './auth/index.js';
import { configFromEnv, REPO_ROOT } from './config.js';
import { openEngine } from './engine/index.js';
import { createConsoleApi } from './http/console-api.js';
import { originsFor } from './http/origins.js';
import { applyContentSecurityPolicy, gatePage } from './http/pages.js';

const env = z
  .object({
    PORT: z.coerce.number().int().min(1).max(65_535).default(3000),
    // Loopback by default; set PODVISOR_ORIGIN too when serving other hosts.
    HOST: z.string().default('127.0.0.1'),
    NODE_ENV: z.string().default('production'),
  })
  .parse(process.env);
const dev = env.NODE_ENV === 'development';

const engine = await openEngine();
const auth = await openAuth();
// Recovery on start, in the background: dead VMs become stopped pods; leaks are only reported (podvisor doctor --fix).
void engine.doctor().then((r) => r.findings.forEach((f) => console.warn(`podvisor doctor: ${f.kind} ${f.subject}: ${f.detail}`)), (err: Error) => console.warn(`podvisor doctor: ${err.message}`));
const origins = originsFor(env.HOST, env.PORT);
const api = createConsoleApi({ engine, auth, origins, recordingsDir: path.join(configFromEnv().home, 'recordings') });

const app = next({ dev, dir: REPO_ROOT, hostname: env.HOST, port: env.PORT });
await app.prepare();
const handleNext = app.getRequestHandler();
const handleNextUpgrade = app.getUpgradeHandler();

const server = http.createServer((req, res) => {
  if (api.handleRequest(req, res)) return;
  applyContentSecurityPolicy(req, res, origins, dev);
  gatePage(req, res, auth)
    .then(async (answered) => {
      if (!answered) await handleNext(req, res);
    })
    .catch((err: unknown) => {
      console.error('podvisor: page request failed', err);
      if (!res.headersSent) res.writeHead(500).end('Internal error\n');
    });
});
server.on('upgrade', (req, socket, head) => api.handleUpgrade(req, socket, head) || void handleNextUpgrade(req, socket, head));

server.listen(env.PORT, env.HOST, () => console.log(`podvisor console on ${origins.list[0]} (origins: ${origins.list.join(', ')})`));

async function shutdown(signal: string) {
  console.log(`podvisor: ${signal}, closing (pods keep running)`);
  api.close();
  server.close();
  server.closeAllConnections();
  await engine.close();
  await auth.close();
  await app.close();
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));
