// `podvisor audit …`: the audit log (every change, terminal session and refused attempt, from the
// console and from this CLI), filtered with the same AuditQuerySchema as the console's admin page.
import type { Command } from 'commander';
import type { AuditEntry, AuditQuery } from '../../auth/index.js';
import { toJsonLines } from '../../auth/audit.js';
import { apiAction, type CliContext } from '../context.js';
import { toNumber } from '../flags.js';
import { auditTable, show } from '../output.js';

/** The most the API returns at once (AuditQuerySchema); an export without --limit pages through everything. */
const PAGE = 1000;

interface FilterFlags {
  actor?: string;
  action?: string;
  pod?: string;
  outcome?: string;
  since?: string;
  until?: string;
  limit?: string;
}

/** Any date the shell gives (2026-01-31, …T10:00+01:00) as the UTC ISO time the schema takes; anything else as is, for it to reject. */
const isoTime = (text: string | undefined) => (text === undefined || Number.isNaN(Date.parse(text)) ? text : new Date(text).toISOString());

const queryOf = (f: FilterFlags) => ({
  actor: f.actor,
  action: f.action,
  podId: f.pod,
  outcome: f.outcome as AuditQuery['outcome'],
  since: isoTime(f.since),
  until: isoTime(f.until),
  limit: toNumber(f.limit),
});

const addFilterOptions = (cmd: Command) =>
  cmd
    .option('--actor <name>', 'only this actor: a user name, or cli:<unix user> for this CLI')
    .option('--action <prefix>', 'only actions starting with this: "pod." finds every pod call')
    .option('--pod <id>', 'only calls on this pod')
    .option('--outcome <outcome>', 'ok|error|denied')
    .option('--since <time>', 'from this ISO date or time on')
    .option('--until <time>', 'up to this ISO date or time');

/** With --limit, the latest N; without, every matching entry, a page at a time. Newest first. */
async function everyEntry(ctx: CliContext, query: ReturnType<typeof queryOf>): Promise<AuditEntry[]> {
  if (query.limit !== undefined) return ctx.api.admin.audit.query(query);
  const entries: AuditEntry[] = [];
  for (let beforeId: number | undefined; ; ) {
    const page = await ctx.api.admin.audit.query({ ...query, limit: PAGE, beforeId });
    entries.push(...page);
    if (page.length < PAGE) return entries;
    beforeId = page.at(-1)?.id;
  }
}

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the audit log: who changed what, when, and how it ended');

  addFilterOptions(audit.command('list'))
    .description('the latest entries, newest first')
    .option('--limit <n>', 'at most this many (default: 200, at most 1000)')
    .action(apiAction(async (ctx, flags: FilterFlags) => show(ctx, await ctx.api.admin.audit.query(queryOf(flags)), auditTable)));

  addFilterOptions(audit.command('export'))
    .description('the matching entries as JSON lines, oldest first')
    .option('--limit <n>', 'only the latest N (default: all)')
    .action(
      apiAction(async (ctx, flags: FilterFlags) => {
        process.stdout.write(toJsonLines((await everyEntry(ctx, queryOf(flags))).reverse()));
      }),
    );
}
