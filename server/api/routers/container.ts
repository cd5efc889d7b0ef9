// Container procedures: thin adapters from tRPC to the engine's container calls.
import { z } from 'zod';
import { CmdSchema, ContainerConfigSchema, IdSchema, ProcessListOptionsSchema, SignalSchema } from '../../engine/index.js';
import { operatorProcedure, router, viewerProcedure } from '../trpc.js';

const ContainerInput = z.object({ podId: IdSchema, containerId: IdSchema });

export const containerRouter = router({
  status: viewerProcedure.input(ContainerInput).query(({ ctx, input }) => ctx.engine.statusContainer(input.podId, input.containerId)),
  processList: viewerProcedure
    .input(ContainerInput.extend({ options: ProcessListOptionsSchema.partial().default({}) }))
    .query(({ ctx, input }) => ctx.engine.processListContainer(input.podId, input.containerId, input.options)),
  create: operatorProcedure
    .input(z.object({ podId: IdSchema, config: ContainerConfigSchema }))
    .mutation(async ({ ctx, input }) => (await ctx.engine.createContainer(input.podId, input.config)).container.state()),
  start: operatorProcedure.input(ContainerInput).mutation(async ({ ctx, input }) => (await ctx.engine.startContainer(input.podId, input.containerId)).state()),
  stop: operatorProcedure.input(ContainerInput).mutation(async ({ ctx, input }) => (await ctx.engine.stopContainer(input.podId, input.containerId)).state()),
  delete: operatorProcedure.input(ContainerInput).mutation(async ({ ctx, input }) => (await ctx.engine.deleteContainer(input.podId, input.containerId)).id()),
  kill: operatorProcedure
    .input(ContainerInput.extend({ signal: SignalSchema, all: z.boolean().default(false) }))
    .mutation(async ({ ctx, input }) => {
      await ctx.engine.killContainer(input.podId, input.containerId, input.signal, input.all);
      return true;
    }),
  enter: operatorProcedure
    .input(ContainerInput.extend({ cmd: CmdSchema }))
    .mutation(async ({ ctx, input }) => (await ctx.engine.enterContainer(input.podId, input.containerId, input.cmd)).process),
});
