// The engine's host-side helper processes (kata proxy, kata shim): how to start them (the esbuild
// bundle from `npm run build:agent` when present, else the TypeScript source through tsx) and
// how to find and stop them again later, from another CLI invocation.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { linuxHost } from '../engine/host/linux.js';
import { REPO_ROOT as CHECKOUT_ROOT } from '../repo-root.js';
import type { Host, IsOurs } from '../engine/host/types.js';

export const REPO_ROOT = process.env['PODVISOR_ROOT'] ?? CHECKOUT_ROOT;

export type HelperName = 'proxy';

/** Arguments for `node` that run the helper. */
export function helperNodeArgs(name: HelperName): string[] {
  const bundle = join(REPO_ROOT, 'dist', `${name}.mjs`);
  if (existsSync(bundle)) return [bundle];
  return ['--import', import.meta.resolve('tsx'), join(REPO_ROOT, 'server/host-procs', name, 'main.ts')];
}

/** True when `pid` is alive and its command line contains `marker` (guards against PID reuse). */
export function processMatches(pid: number, marker: string): boolean {
  if (pid <= 0) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(marker);
  } catch {
    return false;
  }
}

/** Every live process with `marker` as one of its arguments (e.g. all helpers of one pod's proxy socket). */
export function helpersWithArgument(marker: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => pid !== process.pid && processMatches(pid, marker));
}

/** The identity check the host seam's terminate takes for a helper: alive, with `marker` in its argv. */
export const isHelper =
  (host: Host, marker: string): IsOurs =>
  async (pid) =>
    ((await host.cmdline(pid)) ?? []).includes(marker);

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone (the host seam's terminate). */
export async function terminateHelper(pid: number, marker: string, graceMs = 3_000, host: Host = linuxHost): Promise<void> {
  await host.terminate(pid, isHelper(host, marker), { graceMs, killMs: 2_000 });
}
