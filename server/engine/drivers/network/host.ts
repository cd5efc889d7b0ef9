// Everything the network driver does to the host goes through NetHost: `ip`, the CNI plugins,
// nsenter, and the two file checks. Logic tests script a fake (fake-host.ts); the Linux one is here.
import { stat } from 'node:fs/promises';
import { execa } from 'execa';
import type { z } from 'zod';
import { EngineError } from '../../errors.js';

export interface RunOptions {
  /** Run the program inside this network namespace (a path: /run/netns/NAME or any nsfs file). */
  netns?: string;
  input?: string;
  /** Added to the driver's own environment (plugins need PATH for iptables). */
  env?: Record<string, string>;
}
export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}
export interface FileInfo {
  kind: 'char' | 'file' | 'dir' | 'other';
  /** Device number of a char device, else 0:0. */
  major: number;
  minor: number;
  executable: boolean;
}

export interface NetHost {
  /** Resolves whatever the exit code (CNI plugins report errors as JSON on stdout); rejects only when the program cannot run. */
  run(cmd: string, args: string[], opts?: RunOptions): Promise<RunResult>;
  /** null when nothing is there. */
  stat(path: string): Promise<FileInfo | null>;
}

/** A plugin hung on a lock or a netlink call must not hang the pod's call forever. */
const RUN_TIMEOUT_MS = 60_000;

export const linuxNetHost: NetHost = {
  async run(cmd, args, opts = {}) {
    // nsenter rather than `ip netns exec`: a given netNsPath need not be a name under /run/netns.
    const [file, argv] = opts.netns ? ['nsenter', [`--net=${opts.netns}`, '--', cmd, ...args]] : [cmd, args];
    const r = await execa(file, argv, { input: opts.input ?? '', env: opts.env, reject: false, timeout: RUN_TIMEOUT_MS, stripFinalNewline: true });
    if (r.exitCode === undefined) throw new Error(`${cmd} could not run: ${r.shortMessage}`);
    return { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode };
  },
  async stat(path) {
    const s = await stat(path).catch(() => null);
    if (!s) return null;
    const kind = s.isCharacterDevice() ? 'char' : s.isFile() ? 'file' : s.isDirectory() ? 'dir' : 'other';
    // rdev packs major:minor the glibc way (major in bits 8-19 and 32+, minor in 0-7 and 20+).
    const major = Number((BigInt(s.rdev) >> 8n) & 0xfffn);
    const minor = (s.rdev & 0xff) | ((s.rdev >> 12) & 0xfff00);
    return { kind, major: kind === 'char' ? major : 0, minor: kind === 'char' ? minor : 0, executable: (s.mode & 0o111) !== 0 };
  },
};

/** Failures of the host's networking (a plugin, `ip`) as opposed to a wrong config. */
export function networkFailed(message: string, details?: Record<string, unknown>, cause?: unknown): EngineError {
  return new EngineError('NETWORK_FAILED', message, details, cause === undefined ? undefined : { cause });
}

/** What `ip` says when the thing to delete is already gone: a delete that finds nothing has succeeded. */
const GONE = /Cannot find device|does not exist|No such device|Cannot open network namespace|No such file or directory/i;

/** `ip` inside `netns` ('' for the host's); throws NETWORK_FAILED with ip's own words. */
export async function ip(host: NetHost, netns: string, args: string[], opts: { tolerateGone?: boolean } = {}): Promise<string> {
  const r = await host.run('ip', args, netns ? { netns } : {});
  if (r.exitCode === 0) return r.stdout;
  if (opts.tolerateGone && GONE.test(r.stderr)) return '';
  throw networkFailed(`ip ${args.join(' ')}${netns ? ` (in ${netns})` : ''} failed: ${r.stderr.trim() || `exit ${r.exitCode}`}`, { netns, args });
}

/** `ip -j …` parsed with `schema`: iproute2's JSON output is the only way we read links and routes. */
export async function ipJson<T>(host: NetHost, netns: string, args: string[], schema: z.ZodType<T>): Promise<T> {
  const out = await ip(host, netns, ['-j', ...args]);
  let json: unknown;
  try {
    json = JSON.parse(out || '[]');
  } catch {
    json = undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw networkFailed(`unexpected output from ip -j ${args.join(' ')}: ${out.slice(0, 200)}`);
  return parsed.data;
}
