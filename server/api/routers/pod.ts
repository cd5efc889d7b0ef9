// Pod procedures: thin adapters from tRPC to the engine's pod calls.
import { z } from 'zod';
import { IdSchema, PodConfigSchema } from '../../engine/index.js';
import { operatorProcedure, router, viewerProcedure } from '../trpc.js';

const PodIdInput = z.object({ podId: IdSchema });

export const podRouter = router({
  list: viewerProcedure.query(({ ctx }) => ctx.engine.listPod()),
  status: viewerProcedure.input(PodIdInput).query(({ ctx, input }) => ctx.engine.statusPod(input.podId)),
  events: viewerProcedure
    .input(PodIdInput.extend({ limit: z.number().int().min(1).max(10_000).optional() }))
    .query(({ ctx, input }) => ctx.engine.listPodEvents(input.podId, { limit: input.limit })),
  create: operatorProcedure.input(PodConfigSchema).mutation(async ({ ctx, input }) => (await ctx.engine.createPod(input)).id()),
  run: operatorProcedure.input(PodConfigSchema).mutation(async ({ ctx, input }) => (await ctx.engine.runPod(input)).id()),
  start: operatorProcedure.input(PodIdInput).mutation(async ({ ctx, input }) => (await ctx.engine.startPod(input.podId)).state()),
  stop: operatorProcedure.input(PodIdInput).mutation(async ({ ctx, input }) => (await ctx.engine.stopPod(input.podId)).state()),
  pause: operatorProcedure.input(PodIdInput).mutation(async ({ ctx, input }) => (await ctx.engine.pausePod(input.podId)).state()),
  resume: operatorProcedure.input(PodIdInput).mutation(async ({ ctx, input }) => (await ctx.engine.resumePod(input.podId)).state()),
  delete: operatorProcedure.input(PodIdInput).mutation(async ({ ctx, input }) => (await ctx.engine.deletePod(input.podId)).id()),
  setAnnotations: operatorProcedure
    .input(PodIdInput.extend({ annotations: z.record(z.string(), z.string()) }))
    .mutation(async ({ ctx, input }) => {
      const pod = await ctx.engine.fetchPod(input.podId);
      await pod.setAnnotations(input.annotations);
      return pod.getAnnotations();
    }),
});
