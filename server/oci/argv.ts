// podvisor-oci's command line, runc's: the commands and flags podman, conmon and CRI-O pass, parsed
// by commander into typed calls on an OciHandlers object (runtime.ts), so parsing is testable alone.
// Flags of runc's that concern the host's own container set-up (--no-pivot, --no-new-keyring,
// --systemd-cgroup, --preserve-fds 0) are accepted as meaningless in a VM; anything asking for
// something Podvisor cannot do is refused by the handlers with NOT_SUPPORTED.
import { Command, Option } from 'commander';
import { RELAY_MARKER } from './state.js';

export interface Globals {
  root: string;
  envFile: string | null;
  log: string | null;
  logFormat: 'text' | 'json';
}

export interface CreateArgs { id: string; bundle: string; pidFile: string | null; consoleSocket: string | null; preserveFds: number }
export interface ExecArgs { id: string; processFile: string | null; args: string[]; pidFile: string | null; detach: boolean; tty: boolean; consoleSocket: string | null; cwd: string | null; env: string[] }

export interface OciHandlers {
  create(g: Globals, a: CreateArgs): Promise<void>;
  start(g: Globals, id: string): Promise<void>;
  state(g: Globals, id: string): Promise<void>;
  kill(g: Globals, id: string, signal: string, all: boolean): Promise<void>;
  delete(g: Globals, id: string, force: boolean): Promise<void>;
  /** Resolves with the exit code (a foreground exec exits with the process's). */
  exec(g: Globals, a: ExecArgs): Promise<number>;
  pause(g: Globals, id: string): Promise<void>;
  resume(g: Globals, id: string): Promise<void>;
  ps(g: Globals, id: string, format: 'table' | 'json'): Promise<void>;
  list(g: Globals, format: 'table' | 'json', quiet: boolean): Promise<void>;
  /** `tty`: its stdio is a terminal pty-handoff.ts made. */
  relay(g: Globals, id: string, token: string | null, tty: boolean): Promise<number>;
}

/** One error line in the --log file, in the format asked for. */
export function logLine(format: 'text' | 'json', message: string, now = new Date()): string {
  if (format === 'json') return `${JSON.stringify({ level: 'error', msg: message, time: now.toISOString() })}\n`;
  return `time="${now.toISOString()}" level=error msg=${JSON.stringify(message)}\n`;
}

const collect = (value: string, previous: string[]) => [...previous, value];

export function buildProgram(h: OciHandlers, version: string, defaultRoot: string, setExit: (code: number) => void): Command {
  const program = new Command('podvisor-oci')
    .description('an OCI runtime (runc-compatible command line) whose containers run in Podvisor pods: one QEMU VM each')
    .version(`podvisor-oci version ${version}\nspec: 1.0.2`, '-v, --version')
    .option('--root <dir>', 'where container records are kept', defaultRoot)
    .option('--env-file <file>', 'PODVISOR_* settings, one NAME=value a line (default: <this path>.env when it exists)')
    .option('--log <file>', 'also write errors to this file')
    .addOption(new Option('--log-format <format>', 'the --log file format').choices(['text', 'json']).default('text'))
    .option('--debug', 'accepted (runc compatibility)')
    .option('--systemd-cgroup', 'accepted: host cgroups do not apply, each container is confined by its VM')
    .option('--rootless <value>', 'accepted; Podvisor runs as root')
    // As runc: globals before the command; an exec's own command line is not ours to parse.
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ outputError: () => undefined });
  const g = (): Globals => {
    const o = program.opts<{ root: string; envFile?: string; log?: string; logFormat: 'text' | 'json' }>();
    return { root: o.root, envFile: o.envFile ?? null, log: o.log ?? null, logFormat: o.logFormat };
  };
  const int = (v: string) => Number.parseInt(v, 10);

  program
    .command('create')
    .description('create a container: boot its pod (a VM) and leave the relay whose PID goes to --pid-file')
    .requiredOption('-b, --bundle <dir>', 'the bundle (config.json and the rootfs)', process.cwd())
    .option('--pid-file <file>', 'write the relay PID here')
    .option('--console-socket <path>', 'unix socket to send the terminal master to')
    .option('--preserve-fds <n>', 'extra fds to pass (only 0 is supported)', int, 0)
    .option('--no-pivot', 'accepted')
    .option('--no-new-keyring', 'accepted')
    .argument('<id>')
    .action((id: string, o: { bundle: string; pidFile?: string; consoleSocket?: string; preserveFds: number }) =>
      h.create(g(), { id, bundle: o.bundle, pidFile: o.pidFile ?? null, consoleSocket: o.consoleSocket ?? null, preserveFds: o.preserveFds }));
  program.command('start').description('start the container process').argument('<id>').action((id: string) => h.start(g(), id));
  program.command('state').description('the OCI state as JSON').argument('<id>').action((id: string) => h.state(g(), id));
  program
    .command('kill')
    .description('send a signal (a number or a name, default SIGTERM) to the container process')
    .option('-a, --all', 'every process of the container')
    .argument('<id>')
    .argument('[signal]', 'signal', 'SIGTERM')
    .action((id: string, signal: string, o: { all?: boolean }) => h.kill(g(), id, signal, o.all === true));
  program
    .command('delete')
    .description('stop and delete the pod')
    .option('-f, --force', 'kill a running container; a container that does not exist is not an error')
    .argument('<id>')
    .action((id: string, o: { force?: boolean }) => h.delete(g(), id, o.force === true));
  program
    .command('exec')
    .description('run a new process in the container')
    .option('-p, --process <file>', 'the process as an OCI process.json')
    .option('--pid-file <file>', 'write the relay PID here')
    .option('-d, --detach', 'return once started, leaving the relay')
    .option('-t, --tty', 'a terminal')
    .option('--console-socket <path>', 'unix socket to send the terminal master to')
    .option('--cwd <dir>', 'working directory (without --process)')
    .option('-e, --env <NAME=value>', 'environment (without --process)', collect, [])
    .option('--preserve-fds <n>', 'accepted when 0', int, 0)
    .argument('<id>')
    .argument('[args...]')
    .passThroughOptions()
    .action((id: string, args: string[], o: { process?: string; pidFile?: string; detach?: boolean; tty?: boolean; consoleSocket?: string; cwd?: string; env: string[] }) =>
      h
        .exec(g(), { id, processFile: o.process ?? null, args, pidFile: o.pidFile ?? null, detach: o.detach === true, tty: o.tty === true, consoleSocket: o.consoleSocket ?? null, cwd: o.cwd ?? null, env: o.env })
        .then(setExit));
  program.command('pause').description('pause the pod (the whole VM)').argument('<id>').action((id: string) => h.pause(g(), id));
  program.command('resume').description('resume the pod').argument('<id>').action((id: string) => h.resume(g(), id));
  program
    .command('ps')
    .description('the container processes: host PIDs as JSON, or the guest ps table')
    .addOption(new Option('-f, --format <format>').choices(['table', 'json']).default('table'))
    .argument('<id>')
    .action((id: string, o: { format: 'table' | 'json' }) => h.ps(g(), id, o.format));
  program
    .command('list')
    .description('the containers under --root')
    .addOption(new Option('-f, --format <format>').choices(['table', 'json']).default('table'))
    .option('-q, --quiet', 'IDs only')
    .action((o: { format: 'table' | 'json'; quiet?: boolean }) => h.list(g(), o.format, o.quiet === true));
  // Internal: the relay create and exec leave behind (relay.ts). Its name and the ID follow each
  // other in argv, so a recorded PID can be recognised (state.ts relayAlive).
  program
    .command(RELAY_MARKER, { hidden: true })
    .argument('<id>')
    .option('--token <token>')
    .option('--tty')
    .action((id: string, o: { token?: string; tty?: boolean }) => h.relay(g(), id, o.token ?? null, o.tty === true).then(setExit));
  return program;
}
