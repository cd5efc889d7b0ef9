// Terminal recordings (server/terminal/recordings.ts): the list (one's own, an admin everyone's),
// and the admin's settings: whether input is recorded, how long recordings are kept. The bytes are
// served by GET /recordings/<id>.cast (server/http/recording-route.ts).
import { z } from 'zod';
import { EngineError, IdSchema } from '../../engine/index.js';
import { RecordingSettingsSchema, type Recordings } from '../../terminal/recordings.js';
import { adminProcedure, operatorProcedure, router } from '../trpc.js';
import type { Context } from '../trpc.js';

function recordingsOf(ctx: Context): Recordings {
  if (!ctx.terminals.recordings) throw new EngineError('NOT_SUPPORTED', 'terminal recording is off on this console');
  return ctx.terminals.recordings;
}

export const recordingsRouter = router({
  list: operatorProcedure.input(z.object({ podId: IdSchema.optional() }).default({})).query(({ ctx, input }) => recordingsOf(ctx).list(ctx.principal!, { podId: input.podId })),
  get: operatorProcedure.input(z.object({ id: z.uuid() })).query(async ({ ctx, input }) => (await recordingsOf(ctx).open(ctx.principal!, input.id)).recording),
  settings: adminProcedure.query(({ ctx }) => recordingsOf(ctx).settings()),
  setSettings: adminProcedure.input(RecordingSettingsSchema).mutation(async ({ ctx, input }) => {
    const settings = await recordingsOf(ctx).setSettings(input);
    // A shorter retention applies now, not at the next hourly pass.
    await recordingsOf(ctx).prune();
    return settings;
  }),
});
