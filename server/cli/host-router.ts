// Calls only the host's own CLI makes, as procedures behind the same guard as the console's (so they
// are audited the same way). The console has no such call: there, users make their own tokens.
import { TokenCreateSchema, UsernameSchema, roleAtLeast } from '../auth/index.js';
import { EngineError } from '../engine/index.js';
import { adminProcedure, router } from '../api/trpc.js';

export const hostRouter = router({
  tokens: router({
    /** A token for user `user`, at most at that user's role; the token text is returned this once. */
    createFor: adminProcedure.input(TokenCreateSchema.extend({ user: UsernameSchema })).mutation(async ({ ctx, input: { user, ...token } }) => {
      const owner = await ctx.auth.users.get(user);
      if (owner.disabled) throw new EngineError('INVALID_STATE', `User "${owner.name}" is disabled: enable it first`);
      if (!roleAtLeast(owner.role, token.role)) {
        throw new EngineError('PERMISSION_DENIED', `A token cannot exceed its user's role: ${owner.name} is ${owner.role}, the token asks for ${token.role}`);
      }
      return ctx.auth.tokens.create(owner.id, token);
    }),
  }),
});

export type HostRouter = typeof hostRouter;
