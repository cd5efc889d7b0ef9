// Pod procedures: thin adapters from tRPC to the engine's pod calls.
import { z } from 'zod';
import { IdSchema, PodConfigSchema } from '../../engine/index.js';
import { procedure, router } from '../trpc.js';

const PodIdInput = z.object({ podId: IdSchema });

export const podRouter = router({
  list: procedure.query(({ ctx }) => ctx.engine.listPod()),
  status: procedure.input(PodIdInput).query(({ ctx, input }) => ctx.engine.statusPod(input.podId)),
  events: procedure
    .input(PodIdInput.extend({ limit: z.number().int().min(1).max(10_000).optional() }))
    .query(({ ctx, input }) => ctx.engine.listPodEvents(input.podId, { limit: input.limit })),
  create: procedure.input(PodConfigSchema).mutation(async ({ ctx, input }) => (await ctx.engine.createPod(input)).id()),
  run: procedure.input(PodConfigSchema).mutation(async ({ ctx, input }) => (await ctx.engine.runPod(input)).id()),
  start: procedure.input(PodIdInput).mutation(async ({ ctx, input }) => (await ctx.engine.startPod(input.podId)).state()),
  stop: procedure.input(PodIdInput).mutation(async ({ ctx, input }) => (await ctx.engine.stopPod(input.podId)).state()),
  pause: procedure.input(PodIdInput).mutation(async ({ ctx, input }) => (await ctx.engine.pausePod(input.podId)).state()),
  resume: procedure.input(PodIdInput).mutation(async ({ ctx, input }) => (await ctx.engine.resumePod(input.podId)).state()),
  delete: procedure.input(PodIdInput).mutation(async ({ ctx, input }) => (await ctx.engine.deletePod(input.podId)).id()),
  setAnnotations: procedure
    .input(PodIdInput.extend({ annotations: z.record(z.string(), z.string()) }))
    .mutation(async ({ ctx, input }) => {
      const pod = await ctx.engine.fetchPod(input.podId);
      await pod.setAnnotations(input.annotations);
      return pod.getAnnotations();
    }),
});
