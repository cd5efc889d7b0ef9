// One container process (a container's init or an exec) as the agent sees it: the crun child
// that stays its parent (so the exit code is ours), buffered output, stdin, signals and TTY size.
import { spawn, type ChildProcess } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { constants } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProtocolError } from '../protocol/messages.js';
import { OutputRing } from './ring.js';
import { runChecked, shellQuote, type RuntimeOptions } from './runtime.js';

export type StreamName = 'stdout' | 'stderr';

export interface SpawnParams {
  /** crun arguments (global flags included) for `run` or `exec`, with --pid-file pidFile. */
  crunArgs: string[];
  pidFile: string;
  terminal: boolean;
  stdin: boolean;
  onOutput(stream: StreamName, offset: number, data: Buffer): void;
  onExit(exitCode: number): void;
}

/** The pid file is looked at on every change in its directory, and at least this often. */
const PID_FILE_RECHECK_MS = 250;

/** Time allowed for stdio to drain after the process exits (a background child may hold it open). */
const DRAIN_GRACE_MS = 500;

function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  return 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
}

export class ContainerProcess {
  readonly output: Record<StreamName, OutputRing> = { stdout: new OutputRing(), stderr: new OutputRing() };
  pid = 0;
  exitCode: number | null = null;
  /**
   * Wall time from just before spawning crun to its exit: what the runtime alone costs, seen from
   * the guest (bench/exec.ts's floor). Taken before spawn(), which blocks this event loop for its
   * fork and exec (0.12–0.19 s under TCG): timing from after it flattered the host's overhead.
   */
  runtimeMs: number | null = null;
  readonly exited: Promise<number>;

  private constructor(
    private readonly child: ChildProcess,
    readonly terminal: boolean,
    private readonly options: RuntimeOptions,
    onExit: (code: number) => void,
    private readonly spawnedAt: number,
  ) {
    this.exited = new Promise((resolve) => {
      child.on('exit', (code, signal) => {
        this.runtimeMs = performance.now() - this.spawnedAt;
        const exitCode = exitCodeOf(code, signal);
        const drained = new Promise((done) => child.on('close', done));
        void Promise.race([drained, sleep(DRAIN_GRACE_MS)]).then(() => {
          this.exitCode = exitCode;
          onExit(exitCode);
          resolve(exitCode);
        });
      });
    });
  }

  /** Starts crun and resolves once the container process exists (its pid file is written). */
  static async spawn(options: RuntimeOptions, params: SpawnParams): Promise<ContainerProcess> {
    if (params.terminal && !options.script) throw new ProtocolError('NOT_SUPPORTED', 'no terminals: the guest image lacks util-linux `script`');
    const [command, args] = params.terminal
      ? [options.script!, ['-q', '-e', '-c', shellQuote([options.crun, ...params.crunArgs]), '/dev/null']]
      : [options.crun, params.crunArgs];
    const before = performance.now();
    const child = spawn(command, args, { stdio: [params.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    const proc = new ContainerProcess(child, params.terminal, options, params.onExit, before);
    for (const stream of ['stdout', 'stderr'] as const) {
      child[stream]!.on('data', (data: Buffer) => params.onOutput(stream, proc.output[stream].append(data), data));
    }
    child.stdin?.on('error', () => {});
    let spawnError: Error | null = null;
    child.on('error', (err) => (spawnError = err));
    let gone = false;
    void proc.exited.then(() => (gone = true));
    const pidFile = watchForFile(params.pidFile);
    try {
      // A short-lived process may exit before we look: the pid file then still proves it ran.
      for (;;) {
        const finalLook = gone;
        const changed = pidFile.changed(); // taken before the read: a write during it still wakes us
        proc.pid = await readPidFile(params.pidFile);
        if (proc.pid) return proc;
        if (spawnError) throw new ProtocolError('RUNTIME_FAILED', `${command}: ${(spawnError as Error).message}`);
        if (finalLook) throw new ProtocolError('RUNTIME_FAILED', proc.failureMessage());
        await Promise.race([changed, proc.exited, sleep(PID_FILE_RECHECK_MS)]);
      }
    } finally {
      pidFile.close();
    }
  }

  async writeStdin(data: Buffer): Promise<void> {
    const stdin = this.child.stdin;
    if (!stdin || stdin.writableEnded) throw new ProtocolError('INVALID_ARGUMENT', 'stdin of this process is not open');
    await new Promise<void>((resolve, reject) => stdin.write(data, (err) => (err ? reject(err) : resolve())));
  }

  closeStdin(): void {
    this.child.stdin?.end();
  }

  signal(signal: NodeJS.Signals | number): void {
    if (this.exitCode !== null || !this.pid) return;
    try {
      process.kill(this.pid, signal);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }

  /** Sets the size of the process's pty (in the container's devpts); the kernel sends SIGWINCH. */
  async resize(rows: number, columns: number): Promise<void> {
    if (!this.terminal) throw new ProtocolError('INVALID_ARGUMENT', 'process has no terminal');
    const fdDir = `/proc/${this.pid}/fd`;
    for (const fd of await readdir(fdDir)) {
      const target = await readlink(`${fdDir}/${fd}`).catch(() => '');
      if (target.startsWith('/dev/pts/')) {
        await runChecked(this.options.stty, ['-F', `${fdDir}/${fd}`, 'rows', String(rows), 'cols', String(columns)]);
        return;
      }
    }
    throw new ProtocolError('INVALID_ARGUMENT', 'process holds no terminal');
  }

  private failureMessage(): string {
    const text = Buffer.concat([this.output.stderr.readFrom(0).data, this.output.stdout.readFrom(0).data]).toString().trim();
    return `container process failed to start (exit ${this.exitCode}): ${text.slice(-2000) || 'no output'}`;
  }
}

/**
 * Wakes the caller when something happens to `path` (inotify on its directory). crun writes the pid
 * file once the container process exists; polling for it every 20 ms took 12-16 reads per start
 * from crun's one vCPU under TCG. A watch that cannot be made degrades to the recheck timer.
 */
function watchForFile(path: string): { changed(): Promise<void>; close(): void } {
  let wake: () => void = () => {};
  let next = new Promise<void>((resolve) => (wake = resolve));
  const name = basename(path);
  let watcher: FSWatcher | null = null;
  try {
    watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
      if (file !== null && file !== name) return;
      wake();
      next = new Promise<void>((resolve) => (wake = resolve));
    });
    watcher.on('error', () => {});
  } catch {
    watcher = null;
  }
  return { changed: () => next, close: () => watcher?.close() };
}

async function readPidFile(path: string): Promise<number> {
  const pid = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
  return pid > 0 ? pid : 0;
}
