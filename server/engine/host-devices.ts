// The device allowlist, beside the directory one (host-paths.ts): glob patterns of host device
// paths (`/dev/loop*`, `/dev/disk/by-id/*`). The default comes from PODVISOR_HOST_DEVICES
// (colon-separated, empty: no device at all); an admin's list replaces it. Same rule as the roots:
// what a call names is resolved (symlinks followed), and so is every path the patterns match at
// the time of the call, so `/dev/disk/by-id/*` allows the nodes those links name, and a link made
// elsewhere to an allowed node is as good as the node, but nothing else.
import { lstat, readdir, realpath } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
export { HostDevicePatternsSchema } from './host-device-patterns.js';

/** The store key of the admin's list (JSON array of patterns, as given). */
export const HOST_DEVICE_PATTERNS_SETTING = 'hostDevicePatterns';

/** PODVISOR_HOST_DEVICES, colon-separated; unset or empty allows no device. */
export function defaultHostDevicePatterns(env: Record<string, string | undefined> = process.env): string[] {
  return (env['PODVISOR_HOST_DEVICES'] ?? '').split(':').filter(Boolean);
}

/** How deep below a pattern's literal base its glob can reach (`**` capped: /dev is shallow). */
function depthOf(glob: string): number {
  return glob.includes('**') ? 6 : glob.split('/').length;
}

async function walk(dir: string, depth: number, out: string[]): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  for (const name of entries) {
    const full = path.join(dir, name);
    out.push(full);
    if (depth > 1 && (await lstat(full).catch(() => null))?.isDirectory()) await walk(full, depth - 1, out);
  }
}

/** Every existing path the patterns match now, each resolved: what a named device must resolve to. */
export async function allowedDevices(patterns: string[]): Promise<Set<string>> {
  const allowed = new Set<string>();
  for (const pattern of patterns) {
    const { base, glob, isGlob } = picomatch.scan(pattern);
    const candidates: string[] = [];
    if (!isGlob) candidates.push(pattern);
    else {
      const matches = picomatch(pattern, { dot: false });
      const found: string[] = [];
      await walk(base || '/', depthOf(glob), found);
      candidates.push(...found.filter((p) => matches(p)));
    }
    for (const c of candidates) {
      const real = await realpath(c).catch(() => null);
      if (real) allowed.add(real);
    }
  }
  return allowed;
}

