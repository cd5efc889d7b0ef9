// Live steps of a pod's long calls (CreatePod, RunPod, StartPod, …) for the console: the recent
// ones first, then each one as the engine reports it, over the same SSE link as live.changes.
import { EventEmitter, on } from 'node:events';
import { z } from 'zod';
import { IdSchema } from '../../engine/index.js';
import { progressBoardOf } from '../../live/progress-board.js';
import { router, viewerProcedure } from '../trpc.js';

export const progressRouter = router({
  /** The board keeps steps of a pod that does not exist yet, so the new-pod form can watch before it submits. */
  watch: viewerProcedure
    // replay false: only steps from now on (the form, which must not mistake a deleted namesake's steps for its own).
    .input(z.object({ podId: IdSchema, replay: z.boolean().default(true) }))
    .subscription(async function* ({ ctx, input, signal }) {
    const board = progressBoardOf(ctx.engine);
    // Subscribe before the replay so no step falls between the two.
    const relay = new EventEmitter();
    const stop = board.watch(input.podId, (step) => relay.emit('step', step));
    try {
      const replayed = input.replay ? board.recent(input.podId) : [];
      let last = replayed.at(-1)?.seq ?? 0;
      for (const step of replayed) yield step;
      for await (const [step] of on(relay, 'step', { signal })) {
        if (step.seq <= last) continue;
        last = step.seq;
        yield step as (typeof replayed)[number];
      }
    } catch (err) {
      if (!signal?.aborted) throw err;
    } finally {
      stop();
    }
  }),
});
