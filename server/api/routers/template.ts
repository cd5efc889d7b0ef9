// VM template procedures (server/engine/templates): thin adapters over the engine's calls.
import { z } from 'zod';
import { PodConfigSchema } from '../../engine/index.js';
import { adminProcedure, router, viewerProcedure } from '../trpc.js';

export const templateRouter = router({
  list: viewerProcedure.query(({ ctx }) => ctx.engine.listTemplates()),
  /** The template a pod with this config would be cloned from, built unless it exists. */
  build: adminProcedure.input(PodConfigSchema).mutation(({ ctx, input }) => ctx.engine.buildTemplate(input)),
  remove: adminProcedure.input(z.object({ key: z.string().regex(/^[0-9a-f]{16}$/, 'a template key: 16 hex digits') })).mutation(async ({ ctx, input }) => {
    await ctx.engine.removeTemplate(input.key);
    return { key: input.key, removed: true };
  }),
});
