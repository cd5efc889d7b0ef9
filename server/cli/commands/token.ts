// `podvisor token …`: API tokens for scripts and the remote CLI (--url with PODVISOR_TOKEN). A token
// acts with its own role, never above its user's; the token text is printed once, at creation.
import type { Command } from 'commander';
import type { Role } from '../../auth/index.js';
import { apiAction, localOnly } from '../context.js';
import { toNumber } from '../flags.js';
import { printJson, printText, show, tokenTable } from '../output.js';

interface CreateFlags {
  user: string;
  role: string;
  expiresDays?: string;
}

export function registerTokenCommands(program: Command): void {
  const token = program.command('token').description('API tokens: "Authorization: Bearer <token>", or PODVISOR_TOKEN for --url');

  token
    .command('create <NAME>')
    .description("create a token for a user, at most at the user's role; prints the token, only this once")
    .requiredOption('--user <user>', 'the user the token acts as')
    .requiredOption('--role <role>', "viewer|operator|admin, at most the user's role")
    .option('--expires-days <n>', 'the token stops working after this many days (default: never)')
    .action(
      apiAction(async (ctx, name: string, flags: CreateFlags) => {
        const { host } = localOnly(ctx, 'token create', "over --url, users make their own tokens on the console's Tokens page");
        const created = await host.tokens.createFor.mutate({ name, user: flags.user, role: flags.role as Role, expiresInDays: toNumber(flags.expiresDays) });
        if (ctx.json) return void printJson({ token: created.token, ...created.view });
        const { id, owner, role, expiresAt } = created.view;
        // Only the token on stdout, for TOKEN=$(podvisor token create …); what it is goes to stderr.
        process.stderr.write(`Token ${id} for ${owner} (${role}, expires ${expiresAt ?? 'never'}); it is not shown again:\n`);
        printText(created.token);
      }),
    );

  token
    .command('list')
    .description('every token (never their text)')
    .option('--user <user>', "only this user's tokens")
    .action(
      apiAction(async (ctx, flags: { user?: string }) => {
        const tokens = await ctx.api.tokens.list.query();
        show(ctx, flags.user === undefined ? tokens : tokens.filter((t) => t.owner === flags.user), tokenTable);
      }),
    );

  token
    .command('revoke <ID>')
    .description('revoke a token: it stops working at once')
    .action(apiAction(async (ctx, id: string) => show(ctx, await ctx.api.tokens.revoke.mutate({ id }), (t) => `Token ${t.id} revoked`)));
}
