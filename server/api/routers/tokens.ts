// API tokens: anyone logged in may hold tokens up to their own role; admins see and revoke all.
import { z } from 'zod';
import { TokenCreateSchema, roleAtLeast } from '../../auth/index.js';
import { EngineError } from '../../engine/index.js';
import { router, viewerProcedure } from '../trpc.js';

export const tokensRouter = router({
  list: viewerProcedure.query(({ ctx }) => {
    const me = ctx.principal!;
    return ctx.auth.tokens.list(me.role === 'admin' ? undefined : (me.userId ?? undefined));
  }),
  /** Returns the token text, which is shown this once and never stored. */
  create: viewerProcedure.input(TokenCreateSchema).mutation(({ ctx, input }) => {
    const me = ctx.principal!;
    if (!me.userId || me.via !== 'session') throw new EngineError('PERMISSION_DENIED', 'Tokens are created from a login session');
    if (!roleAtLeast(me.role, input.role)) throw new EngineError('PERMISSION_DENIED', `A ${me.role} cannot create a token with the ${input.role} role`);
    return ctx.auth.tokens.create(me.userId, input);
  }),
  revoke: viewerProcedure.input(z.object({ id: z.uuid() })).mutation(({ ctx, input }) => {
    const me = ctx.principal!;
    return ctx.auth.tokens.revoke(input.id, me.role === 'admin' ? undefined : (me.userId ?? undefined));
  }),
});
