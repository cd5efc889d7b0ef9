// Metrics for the console: a pod's sampled history (the pod page's charts) and every pod's newest
// figures (the pod list's CPU and memory columns). Each read counts as a look, which keeps the
// host-side sampler (server/metrics/sampler.ts) running while a page is open.
import { z } from 'zod';
import { IdSchema } from '../../engine/index.js';
import { hostMemory } from '../../metrics/host.js';
import { metricsSamplerOf } from '../../metrics/sampler.js';
import { router, viewerProcedure } from '../trpc.js';

export const metricsRouter = router({
  pod: viewerProcedure.input(z.object({ podId: IdSchema })).query(({ ctx, input }) => {
    const sampler = metricsSamplerOf(ctx.engine);
    sampler.touch();
    const { intervalMs, windowMs } = sampler.options;
    return { intervalMs, windowMs, samples: sampler.podHistory(input.podId) };
  }),
  latest: viewerProcedure.query(({ ctx }) => {
    const sampler = metricsSamplerOf(ctx.engine);
    sampler.touch();
    return Object.fromEntries([...sampler.latest()].map(([podId, s]) => [podId, { cpuPercent: s.cpuPercent, rssBytes: s.rssBytes }]));
  }),
  host: viewerProcedure.query(() => hostMemory()),
});
