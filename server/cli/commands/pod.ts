// `podvisor pod …`: create and run take the PodConfig flags; the lifecycle actions share one table.
import type { Command } from 'commander';
import type { PodConfigInput, VC, VCPod } from '../../engine/index.js';
import { engineAction, type CliContext } from '../context.js';
import { positiveInteger } from '../flags.js';
import { announce, eventTable, podStatusText, podTable, show } from '../output.js';
import { addPodConfigOptions, podConfigFromFlags, type PodFlags } from './pod-config.js';

interface PodCommand<Input> {
  name: string;
  summary: string;
  /** Completes "Pod <id> …", as upstream virtc prints it. */
  done: string;
  /** The pod is gone afterwards, so --json has no status to print. */
  removes?: boolean;
  act(vc: VC, input: Input): Promise<VCPod>;
}

const CREATORS: PodCommand<PodConfigInput>[] = [
  { name: 'create', summary: 'create a pod: boot its VM and create its containers', done: 'created', act: (vc, config) => vc.createPod(config) },
  { name: 'run', summary: 'create a pod, then start it', done: 'created and started', act: (vc, config) => vc.runPod(config) },
];

const LIFECYCLE: PodCommand<string>[] = [
  { name: 'start', summary: 'boot a ready or stopped pod and start its containers', done: 'started', act: (vc, id) => vc.startPod(id) },
  { name: 'stop', summary: 'stop the containers, then the VM', done: 'stopped', act: (vc, id) => vc.stopPod(id) },
  { name: 'pause', summary: 'pause the VM of a running pod', done: 'paused', act: (vc, id) => vc.pausePod(id) },
  { name: 'resume', summary: 'resume a paused pod', done: 'resumed', act: (vc, id) => vc.resumePod(id) },
  { name: 'delete', summary: 'delete a ready, paused or stopped pod and its containers', done: 'deleted', removes: true, act: (vc, id) => vc.deletePod(id) },
];

const announcePod = (ctx: CliContext, id: string, { done, removes }: PodCommand<unknown>) =>
  announce(ctx, `Pod ${id} ${done}`, async () => (removes ? { id, deleted: true } : ctx.vc.statusPod(id)));

export function registerPodCommands(program: Command): void {
  const pod = program.command('pod').description('manage pods: one QEMU VM each');

  for (const c of CREATORS) {
    addPodConfigOptions(pod.command(c.name).argument('[command...]', "the --container-id container's command, after --"))
      .description(c.summary)
      .action(
        engineAction(async (ctx, command: string[], flags: PodFlags) => {
          const created = await c.act(ctx.vc, await podConfigFromFlags(flags, command));
          await announcePod(ctx, created.id(), c);
        }),
      );
  }

  for (const a of LIFECYCLE) {
    pod
      .command(`${a.name} <POD_ID>`)
      .description(a.summary)
      .action(
        engineAction(async (ctx, podId: string) => {
          await a.act(ctx.vc, podId);
          await announcePod(ctx, podId, a);
        }),
      );
  }

  pod
    .command('status <POD_ID>')
    .description("the pod's state and its containers'")
    .action(engineAction(async (ctx, podId: string) => show(ctx, await ctx.vc.statusPod(podId), podStatusText)));

  pod
    .command('list')
    .description('every pod')
    .action(engineAction(async (ctx) => show(ctx, await ctx.vc.listPod(), podTable)));

  pod
    .command('events <POD_ID>')
    .description("the pod's timeline, newest last")
    .option('--limit <n>', 'at most this many of the latest events (default: 200)', positiveInteger)
    .action(
      engineAction(async (ctx, podId: string, flags: { limit?: number }) =>
        show(ctx, await ctx.vc.listPodEvents(podId, { limit: flags.limit }), eventTable),
      ),
    );
}
