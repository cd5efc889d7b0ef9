// `podvisor container …`: create takes the ContainerConfig flags, enter attaches our stdio,
// and the plain lifecycle actions share one table.
import type { Command } from 'commander';
import type { ContainerConfigInput, ProcessListOptions, VC, VCContainer } from '../../engine/index.js';
import { attachStdio } from '../attach.js';
import { engineAction, type CliContext } from '../context.js';
import { given, mergeConfig, readConfigFile } from '../flags.js';
import { announce, containerTable, printJson, show } from '../output.js';
import { addContainerOptions, addProcessOptions, cmdPatch, containerPatch, type ContainerFlags, type ProcessFlags } from './container-flags.js';

interface ContainerAction {
  name: string;
  summary: string;
  /** Completes "Container <id> …", as upstream virtc prints it. */
  done: string;
  /** The container is gone afterwards, so --json has no status to print. */
  removes?: boolean;
  act(vc: VC, podId: string, containerId: string): Promise<VCContainer>;
}

const LIFECYCLE: ContainerAction[] = [
  { name: 'start', summary: 'start a ready or stopped container of a running pod', done: 'started', act: (vc, p, c) => vc.startContainer(p, c) },
  { name: 'stop', summary: 'stop a container (already stopped: nothing to do)', done: 'stopped', act: (vc, p, c) => vc.stopContainer(p, c) },
  { name: 'delete', summary: 'delete a ready or stopped container', done: 'deleted', removes: true, act: (vc, p, c) => vc.deleteContainer(p, c) },
];

const announceContainer = (ctx: CliContext, podId: string, id: string, done: string, removes = false) =>
  announce(ctx, `Container ${id} ${done}`, async () => (removes ? { podId, id, deleted: true } : ctx.vc.statusContainer(podId, id)));

/** Numeric signals go to the engine as numbers, names as they are; SignalSchema judges both. */
const toSignal = (signal: string) => (/^\d+$/.test(signal) ? Number(signal) : signal);

export function registerContainerCommands(program: Command): void {
  const container = program.command('container').description("manage a pod's containers");
  const ids = '<POD_ID> <CONTAINER_ID>';

  addContainerOptions(container.command(`create ${ids}`).argument('[command...]', "the container's command, after --"))
    .description('create a container in a ready or running pod')
    .option('--config <file.json>', 'load a whole ContainerConfig; CONTAINER_ID and the flags override its fields')
    .action(
      engineAction(async (ctx, podId: string, id: string, command: string[], flags: ContainerFlags & { config?: string }) => {
        const config = mergeConfig(await readConfigFile(flags.config), containerPatch(id, flags, command));
        // The engine parses this with ContainerConfigSchema and names any field at fault.
        await ctx.vc.createContainer(podId, config as ContainerConfigInput);
        await announceContainer(ctx, podId, id, 'created');
      }),
    );

  for (const a of LIFECYCLE) {
    container
      .command(`${a.name} ${ids}`)
      .description(a.summary)
      .action(
        engineAction(async (ctx, podId: string, id: string) => {
          await a.act(ctx.vc, podId, id);
          await announceContainer(ctx, podId, id, a.done, a.removes);
        }),
      );
  }

  addProcessOptions(container.command(`enter ${ids}`).argument('<command...>', 'the command to run, after --'))
    .description('run a command in a running container, attached to this terminal; exits with its exit code (--json: print the Process, do not attach)')
    .action(
      engineAction(async (ctx, podId: string, id: string, command: string[], flags: ProcessFlags) => {
        // Always interactive: we attach now, or whoever attaches later (the console) may write to it.
        const entered = await ctx.vc.enterContainer(podId, id, { ...cmdPatch(flags, command), args: command, interactive: true });
        if (ctx.json) {
          printJson(entered.process);
          return;
        }
        return attachStdio(await ctx.vc.attachProcess(podId, id, entered.process.token), { tty: flags.tty === true });
      }),
    );

  container
    .command(`status ${ids}`)
    .description("the container's state, PID and exit code")
    .action(engineAction(async (ctx, podId: string, id: string) => show(ctx, await ctx.vc.statusContainer(podId, id), (s) => containerTable([s]))));

  container
    .command(`kill ${ids} [SIGNAL]`)
    .description('send a signal (name or number, default SIGTERM) to the container init, or with --all to all its processes')
    .option('--all', 'signal every process in the container')
    .action(
      engineAction(async (ctx, podId: string, id: string, signal: string | undefined, flags: { all?: boolean }) => {
        const sent = signal ?? 'SIGTERM';
        await ctx.vc.killContainer(podId, id, toSignal(sent), flags.all === true);
        await announceContainer(ctx, podId, id, `signalled with ${sent}`);
      }),
    );

  container
    .command(`ps ${ids}`)
    .argument('[ps-args...]', 'arguments for ps, after --')
    .description("ps inside a running container. Prints the agent's output as is (--json: {output})")
    .option('--format <format>', 'json|table (default: table)')
    .action(
      engineAction(async (ctx, podId: string, id: string, psArgs: string[], flags: { format?: string }) => {
        // The engine parses the options with ProcessListOptionsSchema, so an unknown format is reported there.
        const format = flags.format as ProcessListOptions['format'] | undefined;
        const output = await ctx.vc.processListContainer(podId, id, { format, args: given(psArgs) });
        if (ctx.json) printJson({ output });
        else process.stdout.write(output);
      }),
    );
}
