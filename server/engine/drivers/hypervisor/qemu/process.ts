// The QEMU process itself: spawn it detached so it outlives the CLI that created the pod, recognise
// it again by PID (guarding against PID reuse) and make sure it is gone when stopping.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { escapeOptionValue } from './args.js';

export interface SpawnedQemu {
  pid: number;
  /** Resolves with a description once the process has exited (or failed to start). */
  exited: Promise<string>;
}

const NSENTER = '/usr/bin/nsenter';

/**
 * Own process group (not -daemonize, which would hide the PID), stdio to a log file, unref'd so
 * the caller may exit while QEMU keeps running. With a netns, nsenter enters it and execs QEMU:
 * same PID, and the tap devices there are QEMU's to open. `fds` become the child's fds 3, 4, ….
 */
export async function spawnQemu(binary: string, args: string[], logPath: string, opts: { netNsPath: string; fds: number[] }): Promise<SpawnedQemu> {
  const logFd = openSync(logPath, 'a');
  try {
    const [command, argv] = opts.netNsPath ? [NSENTER, [`--net=${opts.netNsPath}`, '--', binary, ...args]] : [binary, args];
    const child = spawn(command, argv, { detached: true, stdio: ['ignore', logFd, logFd, ...opts.fds] });
    const exited = new Promise<string>((resolve) => {
      child.once('error', (err) => resolve(`could not run ${binary}: ${err.message}`));
      child.once('exit', (code, signal) => resolve(signal ? `killed by ${signal}` : `exited with status ${code}`));
    });
    const pid = await new Promise<number | string>((resolve) => {
      child.once('spawn', () => resolve(child.pid as number));
      void exited.then(resolve);
    });
    if (typeof pid === 'string') throw new Error(pid);
    child.unref();
    return { pid, exited };
  } finally {
    closeSync(logFd);
  }
}

/** Our QEMU is a live process whose command line names this pod's QMP socket. A zombie has none. */
export async function isOurQemu(pid: number, qmpSocket: string): Promise<boolean> {
  try {
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
    const qmpArg = `unix:${escapeOptionValue(qmpSocket)},`;
    return argv.some((arg) => arg.startsWith(qmpArg));
  } catch {
    return false;
  }
}

export function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** Polls until the process is gone; true if it went within the time. */
export async function waitForExit(pid: number, qmpSocket: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await isOurQemu(pid, qmpSocket)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

/** SIGTERM, then SIGKILL: for when QMP `quit` did not work. */
export async function terminate(pid: number, qmpSocket: string): Promise<boolean> {
  for (const [signal, graceMs] of [['SIGTERM', 3_000], ['SIGKILL', 3_000]] as const) {
    if (!(await isOurQemu(pid, qmpSocket))) return true;
    sendSignal(pid, signal);
    if (await waitForExit(pid, qmpSocket, graceMs)) return true;
  }
  return false;
}
