// Terminal procedures: open a session (exec TTY, container output, VM console) or reattach to one,
// each returning a single-use ticket, bound to the caller, that the terminal WebSocket redeems
// within 30 s. Terminals are for operators: a viewer gets none, not even read-only.
import { z } from 'zod';
import type { Principal } from '../../auth/index.js';
import { IdSchema } from '../../engine/index.js';
import type { TerminalUser } from '../../terminal/index.js';
import { operatorProcedure, router } from '../trpc.js';

const ContainerInput = z.object({ podId: IdSchema, containerId: IdSchema });
const Dimension = z.number().int().min(1).max(1000);

const terminalUser = (p: Principal): TerminalUser => ({ userId: p.userId, name: p.name, loginId: p.sessionId });

export const terminalRouter = router({
  open: operatorProcedure
    .input(ContainerInput.extend({ command: z.string().trim().min(1).max(1000).default('/bin/sh'), rows: Dimension, cols: Dimension }))
    .mutation(({ ctx, input }) => ctx.terminals.openExec(input, terminalUser(ctx.principal!))),
  attach: operatorProcedure
    .input(z.object({ sessionId: z.uuid(), readOnly: z.boolean().default(false) }))
    .mutation(({ ctx, input }) => ({ ticket: ctx.terminals.attachTicket(input.sessionId, input.readOnly, terminalUser(ctx.principal!)) })),
  list: operatorProcedure.input(ContainerInput).query(({ ctx, input }) => ctx.terminals.list(input.podId, input.containerId)),
  close: operatorProcedure.input(z.object({ sessionId: z.uuid() })).mutation(async ({ ctx, input }) => {
    await ctx.terminals.end(input.sessionId);
    return true;
  }),
  containerOutput: operatorProcedure
    .input(ContainerInput)
    .mutation(({ ctx, input }) => ctx.terminals.openContainerOutput(input.podId, input.containerId, terminalUser(ctx.principal!))),
  vmConsole: operatorProcedure
    .input(z.object({ podId: IdSchema }))
    .mutation(({ ctx, input }) => ctx.terminals.openVmConsole(input.podId, terminalUser(ctx.principal!))),
});
