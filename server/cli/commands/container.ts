// `podvisor container …`: create takes the ContainerConfig flags, enter attaches our stdio, and
// the plain lifecycle actions share one table. Each command calls the container procedure of the
// same name (ps: container.processList).
import type { Command } from 'commander';
import type { ContainerConfigInput, ProcessListOptions } from '../../engine/index.js';
import { attachStdio } from '../attach.js';
import { apiAction, localOnly, type CliContext } from '../context.js';
import { given, mergeConfig, readConfigFile } from '../flags.js';
import { followContainer } from '../foreground.js';
import { announce, containerTable, printJson, show } from '../output.js';
import { addContainerOptions, addProcessOptions, cmdPatch, containerPatch, FLAGS_ONLY_CONTAINER, type ContainerFlags, type ProcessFlags } from './container-flags.js';

interface ContainerAction {
  /** The command and its procedure: container.<name>. */
  name: 'start' | 'stop' | 'delete';
  summary: string;
  /** Completes "Container <id> …", as upstream virtc prints it. */
  done: string;
  /** The container is gone afterwards, so --json has no status to print. */
  removes?: boolean;
  /** From a terminal, the CLI then follows the container if it is non-detached (foreground.ts). */
  follows?: boolean;
}

const LIFECYCLE: ContainerAction[] = [
  {
    name: 'start',
    summary: 'start a ready or stopped container of a running pod; from a terminal, follows it if it is non-detached (its stdio, then its exit code)',
    done: 'started',
    follows: true,
  },
  { name: 'stop', summary: 'stop a container (already stopped: nothing to do)', done: 'stopped' },
  { name: 'delete', summary: 'delete a ready or stopped container', done: 'deleted', removes: true },
];

const announceContainer = (ctx: CliContext, podId: string, containerId: string, done: string, removes = false) =>
  announce(ctx, `Container ${containerId} ${done}`, async () =>
    removes ? { podId, id: containerId, deleted: true } : ctx.api.container.status.query({ podId, containerId }),
  );

/** Numeric signals go to the engine as numbers, names as they are; SignalSchema judges both. */
const toSignal = (signal: string) => (/^\d+$/.test(signal) ? Number(signal) : signal);

export function registerContainerCommands(program: Command): void {
  const container = program.command('container').description("manage a pod's containers");
  const ids = '<POD_ID> <CONTAINER_ID>';

  addContainerOptions(container.command(`create ${ids}`).argument('[command...]', "the container's command, after --"))
    .description('create a container in a ready or running pod')
    .option('--config <file.json>', 'load a whole ContainerConfig; CONTAINER_ID and the flags override its fields')
    .action(
      apiAction(async (ctx, podId: string, containerId: string, command: string[], flags: ContainerFlags & { config?: string }) => {
        const base = flags.config === undefined ? FLAGS_ONLY_CONTAINER : await readConfigFile(flags.config);
        const config = mergeConfig(base, containerPatch(containerId, flags, command));
        // The procedure parses this with ContainerConfigSchema and names any field at fault.
        await ctx.api.container.create.mutate({ podId, config: config as ContainerConfigInput });
        await announceContainer(ctx, podId, containerId, 'created');
      }),
    );

  for (const a of LIFECYCLE) {
    container
      .command(`${a.name} ${ids}`)
      .description(a.summary)
      .action(
        apiAction(async (ctx, podId: string, containerId: string) => {
          await ctx.api.container[a.name].mutate({ podId, containerId });
          await announceContainer(ctx, podId, containerId, a.done, a.removes);
          if (a.follows) return followContainer(ctx, podId, [containerId]);
        }),
      );
  }

  addProcessOptions(container.command(`enter ${ids}`).argument('<command...>', 'the command to run, after --'))
    .description('run a command in a running container, attached to this terminal; exits with its exit code (--json: print the Process, do not attach)')
    .action(
      apiAction(async (ctx, podId: string, containerId: string, command: string[], flags: ProcessFlags) => {
        // Attaching needs the process's stdio, which only this host's engine reaches: check before starting anything.
        const attachHere = ctx.json ? null : localOnly(ctx, 'container enter (attached)', 'with --json it starts the process and prints it, or open a terminal on the container page');
        // Always interactive: we attach now, or whoever attaches later (the console) may write to it.
        // Detached: this CLI follows it through attach below, never through the shim.
        const cmd = { ...cmdPatch(flags, command), args: command, interactive: true, detach: true };
        const entered = await ctx.api.container.enter.mutate({ podId, containerId, cmd });
        if (!attachHere) {
          printJson(entered);
          return;
        }
        return attachStdio(await attachHere.vc.attachProcess(podId, containerId, entered.token), { tty: flags.tty === true });
      }),
    );

  container
    .command(`status ${ids}`)
    .description("the container's state, PID and exit code")
    .action(apiAction(async (ctx, podId: string, containerId: string) => show(ctx, await ctx.api.container.status.query({ podId, containerId }), (s) => containerTable([s]))));

  container
    .command(`kill ${ids} [SIGNAL]`)
    .description('send a signal (name or number, default SIGTERM) to the container init, or with --all to all its processes')
    .option('--all', 'signal every process in the container')
    .action(
      apiAction(async (ctx, podId: string, containerId: string, signal: string | undefined, flags: { all?: boolean }) => {
        const sent = signal ?? 'SIGTERM';
        await ctx.api.container.kill.mutate({ podId, containerId, signal: toSignal(sent), all: flags.all === true });
        await announceContainer(ctx, podId, containerId, `signalled with ${sent}`);
      }),
    );

  container
    .command(`ps ${ids}`)
    .argument('[ps-args...]', 'arguments for ps, after --')
    .description("ps inside a running container. Prints the agent's output as is (--json: {output})")
    .option('--format <format>', 'json|table (default: table)')
    .action(
      apiAction(async (ctx, podId: string, containerId: string, psArgs: string[], flags: { format?: string }) => {
        // The procedure parses the options with ProcessListOptionsSchema, so an unknown format is reported there.
        const format = flags.format as ProcessListOptions['format'] | undefined;
        const output = await ctx.api.container.processList.query({ podId, containerId, options: { format, args: given(psArgs) } });
        if (ctx.json) printJson({ output });
        else process.stdout.write(output);
      }),
    );
}
