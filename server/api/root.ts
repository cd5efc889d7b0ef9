// The console's whole API: one router per area of the engine.
import { adminRouter } from './routers/admin.js';
import { authRouter } from './routers/auth.js';
import { containerRouter } from './routers/container.js';
import { hostFactsRouter } from './routers/host.js';
import { liveRouter } from './routers/live.js';
import { metricsRouter } from './routers/metrics.js';
import { podRouter } from './routers/pod.js';
import { progressRouter } from './routers/progress.js';
import { recordingsRouter } from './routers/recordings.js';
import { systemRouter } from './routers/system.js';
import { templateRouter } from './routers/template.js';
import { terminalRouter } from './routers/terminal.js';
import { tokensRouter } from './routers/tokens.js';
import { createCallerFactory, router } from './trpc.js';

export const appRouter = router({
  pod: podRouter,
  container: containerRouter,
  system: systemRouter,
  live: liveRouter,
  terminal: terminalRouter,
  auth: authRouter,
  tokens: tokensRouter,
  admin: adminRouter,
  progress: progressRouter,
  metrics: metricsRouter,
  host: hostFactsRouter,
  recordings: recordingsRouter,
  template: templateRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
