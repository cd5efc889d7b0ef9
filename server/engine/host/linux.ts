// The real host: the default of every engine and driver. Programs run in their own process group,
// so a timeout kills whatever they started too; a netns is entered with nsenter, which execs the
// program (same PID) and accepts any nsfs path, not only names under /run/netns.
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { constants } from 'node:os';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import { deriveHost } from './derived.js';
import type { Host, SpawnOptions, Spawned } from './types.js';

export const NSENTER = '/usr/bin/nsenter';
/** A plugin hung on a lock or a netlink call must not hang the pod's call forever. */
const RUN_TIMEOUT_MS = 60_000;

const inNetns = (netns: string | undefined, cmd: string, args: string[]): [string, string[]] =>
  netns ? [NSENTER, [`--net=${netns}`, '--', cmd, ...args]] : [cmd, args];

/**
 * nsenter execs the program with argv[0] = its path and has no option to change it; bash's
 * `exec -a` does, so in a netns a chosen argv[0] goes through one exec of bash (same PID).
 */
const withArgv0 = (netns: string | undefined, argv0: string | undefined, cmd: string, args: string[]): [string, string[], string | undefined] =>
  argv0 === undefined || !netns ? [cmd, args, argv0] : ['/bin/bash', ['-c', 'exec -a "$0" "$@"', argv0, cmd, ...args], undefined];

async function spawnDetached(cmd: string, args: string[], opts: SpawnOptions): Promise<Spawned> {
  const logFd = opts.logPath ? openSync(opts.logPath, 'a') : null;
  try {
    const [file, argv] = inNetns(opts.netns, cmd, args);
    const std = logFd === null ? (['inherit', 'inherit', 'inherit'] as const) : (['ignore', logFd, logFd] as const);
    const child = spawn(file, argv, { detached: true, cwd: opts.cwd, stdio: [...std, ...(opts.fds ?? []), ...(opts.readyPipe ? ['pipe' as const] : [])] });
    const exited = new Promise<string>((resolve) => {
      child.once('error', (err) => resolve(`could not run ${cmd}: ${err.message}`));
      child.once('exit', (code, signal) => resolve(signal ? `killed by ${signal}` : `exited with status ${code}`));
    });
    const pid = await new Promise<number | string>((resolve) => {
      child.once('spawn', () => resolve(child.pid as number));
      void exited.then(resolve);
    });
    if (typeof pid === 'string') throw new Error(pid);
    child.unref();
    const ready = opts.readyPipe ? (child.stdio[3 + (opts.fds?.length ?? 0)] as Readable) : undefined;
    return { pid, exited, ...(ready ? { ready } : {}) };
  } finally {
    if (logFd !== null) closeSync(logFd);
  }
}

export const linuxHost: Host = deriveHost({
  async run(cmd, args, opts = {}) {
    const [program, programArgs, argv0] = withArgv0(opts.netns, opts.argv0, cmd, args);
    const [file, argv] = inNetns(opts.netns, program, programArgs);
    const child = execa(file, argv, {
      input: opts.input ?? '',
      env: opts.env,
      extendEnv: !opts.cleanEnv,
      reject: false,
      detached: true,
      stripFinalNewline: true,
      ...(argv0 !== undefined ? { argv0 } : {}),
    });
    let timedOut = false;
    const timeoutMs = opts.timeoutMs ?? RUN_TIMEOUT_MS;
    const timer = timeoutMs > 0 ? setTimeout(() => ((timedOut = true), child.pid && process.kill(-child.pid, 'SIGKILL')), timeoutMs) : undefined;
    try {
      const r = await child;
      if (r.exitCode === undefined && !r.signal) throw new Error(`${cmd} could not run: ${r.shortMessage}`);
      const exitCode = r.exitCode ?? 128 + (constants.signals[r.signal as NodeJS.Signals] ?? 0);
      return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode, ...(timedOut ? { timedOut } : {}) };
    } finally {
      clearTimeout(timer);
    }
  },
  spawn: (cmd, args, opts = {}) => spawnDetached(cmd, args, opts),
  async stat(path) {
    const s = await stat(path).catch(() => null);
    if (!s) return null;
    const kind = s.isCharacterDevice() ? 'char' : s.isFile() ? 'file' : s.isDirectory() ? 'dir' : 'other';
    // rdev packs major:minor the glibc way (major in bits 8-19 and 32+, minor in 0-7 and 20+).
    const major = Number((BigInt(s.rdev) >> 8n) & 0xfffn);
    const minor = (s.rdev & 0xff) | ((s.rdev >> 12) & 0xfff00);
    return { kind, major: kind === 'char' ? major : 0, minor: kind === 'char' ? minor : 0, executable: (s.mode & 0o111) !== 0 };
  },
  async cmdline(pid) {
    if (pid <= 0) return null;
    const raw = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => null);
    return raw === null ? null : raw.split('\0').filter((a, i, all) => a !== '' || i < all.length - 1);
  },
  async exiting(pid) {
    if (pid <= 0) return false;
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    if (!stat.slice(stat.lastIndexOf(')')).startsWith(') Z')) return false;
    return (await readdir(`/proc/${pid}/task`).catch(() => [])).length > 1;
  },
  signal(pid, signal) {
    try {
      process.kill(pid, signal);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
      throw err;
    }
  },
  readMountinfo: () => readFile('/proc/self/mountinfo', 'utf8').catch(() => ''),
});

/** For code that has no host handed to it (the storage side's bind mounts): the real host's answer. */
export function isMountPoint(path: string): Promise<boolean> {
  return linuxHost.isMountPoint(path);
}
