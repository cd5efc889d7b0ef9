// `podvisor user …`: console users, through the admin procedures (validated by the same zod schemas
// as the console's forms). Passwords come from stdin only: a flag would show in `ps` and the
// shell history. The first admin of a fresh install is made with `user add NAME --role admin`.
import type { Command } from 'commander';
import type { Role } from '../../auth/index.js';
import { EngineError } from '../../engine/errors.js';
import { apiAction, type CliContext } from '../context.js';
import { show, userTable } from '../output.js';

const PASSWORD_STDIN = ['--password-stdin', 'read the password from stdin (one trailing newline is dropped)'] as const;

/** All of stdin, less one trailing newline (as `echo` and heredocs add it). */
async function passwordFromStdin(given: boolean | undefined): Promise<string> {
  if (!given) throw new EngineError('INVALID_ARGUMENT', 'Give the password on stdin with --password-stdin, e.g. printf %s "$PASSWORD" | podvisor …');
  if (process.stdin.isTTY) process.stderr.write('podvisor: reading the password from stdin; end it with Enter, then Ctrl-D\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

type UserChange = { role?: Role; disabled?: boolean; password?: string };

/** admin.updateUser, which ends the user's logins (and terminals) when their access shrinks. */
async function updateUser(ctx: CliContext, name: string, change: UserChange, done: string): Promise<void> {
  show(ctx, await ctx.api.admin.updateUser.mutate({ name, ...change }), (u) => `User ${u.name} ${done}`);
}

export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('console users and their roles (viewer < operator < admin)');

  user
    .command('add <NAME>')
    .description('add a user; the password is read from stdin')
    .requiredOption('--role <role>', 'viewer|operator|admin')
    .option(...PASSWORD_STDIN)
    .action(
      apiAction(async (ctx, name: string, flags: { role: string; passwordStdin?: boolean }) => {
        const password = await passwordFromStdin(flags.passwordStdin);
        // NewUserSchema (the procedure's input) judges the name, the role and the password, and names the field at fault.
        const added = await ctx.api.admin.addUser.mutate({ name, role: flags.role as Role, password });
        show(ctx, added, (u) => `User ${u.name} added (${u.role})`);
      }),
    );

  user
    .command('list')
    .description('every user')
    .action(apiAction(async (ctx) => show(ctx, await ctx.api.admin.users.query(), userTable)));

  user
    .command('set-role <NAME> <ROLE>')
    .description("change a user's role (viewer|operator|admin); a lower role ends their terminals")
    .action(apiAction((ctx, name: string, role: string) => updateUser(ctx, name, { role: role as Role }, `is now ${role}`)));

  user
    .command('disable <NAME>')
    .description('disable a user: their logins end and their API tokens stop working')
    .action(apiAction((ctx, name: string) => updateUser(ctx, name, { disabled: true }, 'disabled')));

  user
    .command('enable <NAME>')
    .description('enable a disabled user')
    .action(apiAction((ctx, name: string) => updateUser(ctx, name, { disabled: false }, 'enabled')));

  user
    .command('passwd <NAME>')
    .description("set a user's password, read from stdin; their logins end")
    .option(...PASSWORD_STDIN)
    .action(
      apiAction(async (ctx, name: string, flags: { passwordStdin?: boolean }) =>
        updateUser(ctx, name, { password: await passwordFromStdin(flags.passwordStdin) }, 'has a new password; their logins were ended'),
      ),
    );
}
