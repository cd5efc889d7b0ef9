// Terminal procedures: open a session (exec TTY, container output, VM console) or reattach to one,
// each returning a single-use ticket that the terminal WebSocket redeems within 30 s.
import { z } from 'zod';
import { IdSchema } from '../../engine/index.js';
import { terminalSessionsFor } from '../../terminal/index.js';
import { procedure, router } from '../trpc.js';

const ContainerInput = z.object({ podId: IdSchema, containerId: IdSchema });
const Dimension = z.number().int().min(1).max(1000);

export const terminalRouter = router({
  open: procedure
    .input(ContainerInput.extend({ command: z.string().trim().min(1).max(1000).default('/bin/sh'), rows: Dimension, cols: Dimension }))
    .mutation(({ ctx, input }) => terminalSessionsFor(ctx.engine).openExec(input)),
  attach: procedure
    .input(z.object({ sessionId: z.string().uuid(), readOnly: z.boolean().default(false) }))
    .mutation(({ ctx, input }) => ({ ticket: terminalSessionsFor(ctx.engine).attachTicket(input.sessionId, input.readOnly) })),
  list: procedure.input(ContainerInput).query(({ ctx, input }) => terminalSessionsFor(ctx.engine).list(input.podId, input.containerId)),
  close: procedure.input(z.object({ sessionId: z.string().uuid() })).mutation(async ({ ctx, input }) => {
    await terminalSessionsFor(ctx.engine).end(input.sessionId);
    return true;
  }),
  containerOutput: procedure
    .input(ContainerInput)
    .mutation(({ ctx, input }) => terminalSessionsFor(ctx.engine).openContainerOutput(input.podId, input.containerId)),
  vmConsole: procedure.input(z.object({ podId: IdSchema })).mutation(({ ctx, input }) => terminalSessionsFor(ctx.engine).openVmConsole(input.podId)),
});
