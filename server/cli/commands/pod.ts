// `podvisor pod …`: create and run take the PodConfig flags; the lifecycle actions share one table.
// Each command calls the pod procedure of the same name.
import type { Command } from 'commander';
import { apiAction, type CliContext } from '../context.js';
import { positiveInteger } from '../flags.js';
import { followContainer } from '../foreground.js';
import { withProgress } from '../progress.js';
import { announce, eventTable, podStatusText, podTable, show } from '../output.js';
import { addPodConfigOptions, podConfigFromFlags, type PodFlags } from './pod-config.js';

interface PodCommand<Name extends string> {
  /** The command and its procedure: pod.<name>. */
  name: Name;
  summary: string;
  /** Completes "Pod <id> …", as upstream virtc prints it. */
  done: string;
  /** The pod is gone afterwards, so --json has no status to print. */
  removes?: boolean;
  /** Starts containers: from a terminal, the CLI then follows a non-detached one (foreground.ts). */
  follows?: boolean;
}

const FOLLOWS = '; from a terminal, follows its first non-detached container (its stdio, then its exit code)';

const CREATORS: PodCommand<'create' | 'run'>[] = [
  { name: 'create', summary: 'create a pod: boot its VM and create its containers', done: 'created' },
  { name: 'run', summary: `create a pod, then start it${FOLLOWS}`, done: 'created and started', follows: true },
];

const LIFECYCLE: PodCommand<'start' | 'stop' | 'pause' | 'resume' | 'delete'>[] = [
  { name: 'start', summary: `boot a ready or stopped pod and start its containers${FOLLOWS}`, done: 'started', follows: true },
  { name: 'stop', summary: 'stop the containers, then the VM', done: 'stopped' },
  { name: 'pause', summary: 'pause the VM of a running pod', done: 'paused' },
  { name: 'resume', summary: 'resume a paused pod', done: 'resumed' },
  { name: 'delete', summary: 'delete a ready, paused or stopped pod and its containers', done: 'deleted', removes: true },
];

const announcePod = (ctx: CliContext, podId: string, { done, removes }: PodCommand<string>) =>
  announce(ctx, `Pod ${podId} ${done}`, async () => (removes ? { id: podId, deleted: true } : ctx.api.pod.status.query({ podId })));

export function registerPodCommands(program: Command): void {
  const pod = program.command('pod').description('manage pods: one QEMU VM each');

  for (const c of CREATORS) {
    addPodConfigOptions(pod.command(c.name).argument('[command...]', "the --container-id container's command, after --"))
      .description(c.summary)
      .action(
        apiAction(async (ctx, command: string[], flags: PodFlags) => {
          const config = await podConfigFromFlags(flags, command);
          const podId = await withProgress(ctx, () => ctx.api.pod[c.name].mutate(config));
          await announcePod(ctx, podId, c);
          if (c.follows) return followContainer(ctx, podId);
        }),
      );
  }

  for (const a of LIFECYCLE) {
    pod
      .command(`${a.name} <POD_ID>`)
      .description(a.summary)
      .action(
        apiAction(async (ctx, podId: string) => {
          await withProgress(ctx, () => ctx.api.pod[a.name].mutate({ podId }));
          await announcePod(ctx, podId, a);
          if (a.follows) return followContainer(ctx, podId);
        }),
      );
  }

  pod
    .command('status <POD_ID>')
    .description("the pod's state and its containers'")
    .action(apiAction(async (ctx, podId: string) => show(ctx, await ctx.api.pod.status.query({ podId }), podStatusText)));

  pod
    .command('list')
    .description('every pod')
    .action(apiAction(async (ctx) => show(ctx, await ctx.api.pod.list.query(), podTable)));

  pod
    .command('events <POD_ID>')
    .description("the pod's timeline, newest last")
    .option('--limit <n>', 'at most this many of the latest events (default: 200)', positiveInteger)
    .action(apiAction(async (ctx, podId: string, flags: { limit?: number }) => show(ctx, await ctx.api.pod.events.query({ podId, limit: flags.limit }), eventTable)));
}
