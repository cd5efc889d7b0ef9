// Live updates: one SSE subscription that emits the store's generation whenever it changes, so
// pages refetch after any change, made here, in another browser or by the CLI.
import { setTimeout as sleep } from 'node:timers/promises';
import { router, viewerProcedure } from '../trpc.js';

const POLL_MS = 500;

export const liveRouter = router({
  changes: viewerProcedure.subscription(async function* ({ ctx, signal }) {
    let last: number | null = null;
    while (!signal?.aborted) {
      const generation = await ctx.engine.generation();
      if (generation !== last) {
        last = generation;
        yield generation;
      }
      await sleep(POLL_MS, undefined, { signal }).catch(() => undefined);
    }
  }),
});
