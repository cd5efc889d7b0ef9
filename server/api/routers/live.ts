// Live updates: one SSE subscription that emits the store's generation whenever it changes, so
// pages refetch after any change, made here, in another browser or by the CLI. Every subscriber
// shares the engine's one poller (change-watcher.ts), so open pages cost no store reads each.
import { changeWatcherOf } from '../../live/change-watcher.js';
import { router, viewerProcedure } from '../trpc.js';

export const liveRouter = router({
  changes: viewerProcedure.subscription(({ ctx, signal }) => changeWatcherOf(ctx.engine).changes(signal)),
});
