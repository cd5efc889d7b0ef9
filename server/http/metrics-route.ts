// GET /metrics for Prometheus: the pods' VM figures in the text exposition format, for any enabled
// user with at least the viewer role, by API token as a bearer (a scraper) or by the console's
// session. Scrapes are not audited (every 15 s would drown the log), as no read is.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { roleAtLeast, type Auth } from '../auth/index.js';
import type { VC } from '../engine/index.js';
import { exposition, METRICS_CONTENT_TYPE } from '../metrics/exposition.js';
import { hostMemory } from '../metrics/host.js';
import { metricsSamplerOf } from '../metrics/sampler.js';
import { credentialsOf } from './context.js';

export const METRICS_PATH = '/metrics';

export async function serveMetrics(deps: { engine: VC; auth: Auth }, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD' }).end();
    return;
  }
  const principal = await deps.auth.authenticate(credentialsOf(req)).catch(() => null);
  if (!principal) {
    res.writeHead(401, { 'WWW-Authenticate': 'Bearer realm="podvisor"', 'Content-Type': 'text/plain' }).end('Unauthenticated: send an API token as a bearer\n');
    return;
  }
  if (!roleAtLeast(principal.role, 'viewer')) {
    res.writeHead(403, { 'Content-Type': 'text/plain' }).end('Needs the viewer role\n');
    return;
  }
  const sampler = metricsSamplerOf(deps.engine);
  sampler.touch();
  // A scrape right after an idle spell waits for the round that primes and samples.
  await sampler.tick();
  const [pods, memory] = await Promise.all([deps.engine.listPod(), hostMemory()]);
  const body = await exposition({
    samples: sampler.counters(),
    guests: sampler.guestCounters(),
    podStates: pods.map((p) => ({ podId: p.id, state: p.state })),
    hostMemoryAvailableBytes: memory.availableBytes,
  });
  res.writeHead(200, { 'Content-Type': METRICS_CONTENT_TYPE, 'Cache-Control': 'no-store' }).end(req.method === 'HEAD' ? undefined : body);
}
