// Login, logout, the first-run set-up and who-am-I. Login and set-up are the only procedures an
// anonymous caller may reach; a successful one sets the session and CSRF cookies.
import { LoginSchema, NewUserSchema, PasswordSchema, actorOf } from '../../auth/index.js';
import { EngineError } from '../../engine/index.js';
import { engineErrorOf, publicProcedure, router, viewerProcedure, type Context } from '../trpc.js';

const SetupSchema = NewUserSchema.omit({ role: true });

async function logIn(ctx: Context, username: string, password: string) {
  try {
    const { user, session } = await ctx.auth.login(username, password, ctx.request.source);
    ctx.cookies.set(session);
    await ctx.auth.audit.record({ actor: user.name, via: 'session', action: 'auth.login', outcome: 'ok', source: ctx.request.source });
    return { name: user.name, role: user.role, csrfToken: session.csrfToken };
  } catch (err) {
    const error = engineErrorOf(err);
    await ctx.auth.audit.record({ actor: username.slice(0, 64) || 'anonymous', via: 'anonymous', action: 'auth.login', outcome: 'denied', errorCode: error.code, message: error.message, source: ctx.request.source });
    throw error;
  }
}

export const authRouter = router({
  /** What the login page needs: whether set-up is still open, and who is logged in (null if nobody). */
  status: publicProcedure.query(async ({ ctx }) => ({
    needsSetup: (await ctx.auth.users.count()) === 0,
    user: ctx.principal ? { name: ctx.principal.name, role: ctx.principal.role, via: ctx.principal.via } : null,
  })),
  login: publicProcedure
    .meta({ role: 'public', auditsItself: true })
    .input(LoginSchema)
    .mutation(({ ctx, input }) => logIn(ctx, input.username, input.password)),
  /** Creates the first admin and logs them in; refused once any user exists. */
  setup: publicProcedure.input(SetupSchema).mutation(async ({ ctx, input }) => {
    await ctx.auth.setup(input);
    return logIn(ctx, input.name, input.password);
  }),
  logout: viewerProcedure.mutation(async ({ ctx }) => {
    await ctx.auth.logout(ctx.principal!);
    ctx.cookies.clear();
    return true;
  }),
  changePassword: viewerProcedure.input(LoginSchema.pick({ password: true }).extend({ newPassword: PasswordSchema })).mutation(async ({ ctx, input }) => {
    const me = ctx.principal!;
    if (me.via !== 'session' || !(await ctx.auth.users.verify(me.name, input.password))) {
      throw new EngineError('PERMISSION_DENIED', 'The current password is wrong');
    }
    await ctx.auth.updateUser(me.name, { password: input.newPassword });
    ctx.cookies.clear();
    return { ...actorOf(me), loggedOut: true };
  }),
});
