// The console's whole API: one router per area of the engine.
import { containerRouter } from './routers/container.js';
import { podRouter } from './routers/pod.js';
import { createCallerFactory, router } from './trpc.js';

export const appRouter = router({
  pod: podRouter,
  container: containerRouter,
});

export type AppRouter = typeof appRouter;
export const createCaller = createCallerFactory(appRouter);
