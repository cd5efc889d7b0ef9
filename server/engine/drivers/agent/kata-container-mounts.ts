// A container's mounts, host side. A bind whose source is a volume (by tag, or a path inside the
// volume's host dir) binds from the guest's volume mount. Any other bind source is bind-mounted
// into the pod's shared dir under an unguessable name, as upstream (`<cid>-<16 hex>-<basename of
// the destination>`), read-only there too when the mount is, and unmounted when the container
// stops. Other types are made inside the guest. The guest enforces read-only either way.
import { randomBytes } from 'node:crypto';
import { lstat, mkdir, readdir, realpath, rmdir, stat, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { z } from 'zod';
import type { ContainerMountInput } from '../../../guest/protocol/ops.js';
import { EngineError } from '../../errors.js';
import { isBindMount, isReadOnly, namesVolume } from '../../storage.js';
import type { ContainerConfig, Mount, Volume } from '../../types.js';
import type { DriverState, PodContext } from '../types.js';
import { bindMount, hostSharedDir, mountFailure, unbindRootfs, unmountAll } from './kata-mounts.js';

/** What the container's agent state keeps of each bind made into the pod share (upstream's Mount.HostPath). */
const SharedMountSchema = z.object({ destination: z.string(), hostPath: z.string() });
export type SharedMount = z.infer<typeof SharedMountSchema>;
const SHARED_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*-[0-9a-f]{16}-[A-Za-z0-9_.-]*$/;

export function sharedMountsOf(agentState: DriverState): SharedMount[] {
  return z.array(SharedMountSchema).catch([]).parse(agentState['mounts'] ?? []);
}

/** The volume (and the path inside it) a bind source names, symlinks resolved on the host. */
async function volumeSourceOf(m: Mount, volumes: Volume[], field: string): Promise<{ tag: string; path: string } | null> {
  if (namesVolume(m)) return { tag: m.source, path: '' };
  const source = await realpath(m.source).catch(() => {
    throw new EngineError('INVALID_CONFIG', `${field}: "${m.source}" does not exist`, { field, path: m.source });
  });
  for (const v of volumes) {
    const rel = relative(await realpath(v.hostPath).catch(() => v.hostPath), source);
    if (rel !== '..' && !rel.startsWith('../') && !rel.startsWith('/')) return { tag: v.mountTag, path: rel };
  }
  return null;
}

/** A file name from the destination's last component, for people reading the share. */
const nameHint = (destination: string) => basename(destination).replace(/[^A-Za-z0-9_.-]/g, '_');

/** Binds `source` into the pod share under a fresh name; the mount point matches the source's kind. */
async function shareHostPath(pod: PodContext, containerId: string, m: Mount): Promise<SharedMount> {
  const hostPath = join(hostSharedDir(pod), `${containerId}-${randomBytes(8).toString('hex')}-${nameHint(m.destination)}`);
  if ((await stat(m.source)).isDirectory()) await mkdir(hostPath);
  else await writeFile(hostPath, '', { flag: 'wx' });
  const shared = { destination: m.destination, hostPath };
  try {
    await bindMount(m.source, hostPath, isReadOnly(m));
  } catch (err) {
    await unshareMounts(pod, [shared]);
    throw mountFailure(`${m.source} at ${m.destination} in container ${containerId}`, err);
  }
  return shared;
}

function guestOptions(m: Mount): string[] {
  return [...m.options.filter((o) => o !== 'ro' && o !== 'rw'), ...(isReadOnly(m) ? ['ro'] : [])];
}

/**
 * The mounts to send the guest, after making the host side of each; `shared` is what must be
 * unshared when the container stops. On a failure, nothing made here is left behind.
 */
export async function shareContainerMounts(pod: PodContext, c: ContainerConfig): Promise<{ mounts: ContainerMountInput[]; shared: SharedMount[] }> {
  const mounts: ContainerMountInput[] = [];
  const shared: SharedMount[] = [];
  try {
    for (const [i, m] of c.mounts.entries()) {
      const options = guestOptions(m);
      if (!isBindMount(m)) {
        mounts.push({ destination: m.destination, type: m.type, source: { kind: 'label', label: m.source }, options });
        continue;
      }
      const volume = await volumeSourceOf(m, pod.config.volumes, `mounts.${i}.source`);
      if (volume) {
        mounts.push({ destination: m.destination, type: 'bind', source: { kind: 'volume', ...volume }, options });
        continue;
      }
      const made = await shareHostPath(pod, c.id, m);
      shared.push(made);
      mounts.push({ destination: m.destination, type: 'bind', source: { kind: 'shared', name: basename(made.hostPath) }, options });
    }
  } catch (err) {
    await unshareMounts(pod, shared);
    throw err;
  }
  return { mounts, shared };
}

/** Idempotent. Removes a mount point only once nothing is mounted on it: never deletes through a mount. */
export async function unshareMounts(pod: PodContext, shared: SharedMount[]): Promise<void> {
  for (const { hostPath } of shared) {
    // The record comes from the store: touch nothing outside this pod's share.
    if (dirname(hostPath) !== hostSharedDir(pod) || !SHARED_NAME.test(basename(hostPath))) continue;
    await unmountAll(hostPath);
    const kind = await lstat(hostPath).catch(() => null);
    if (kind?.isDirectory()) await rmdir(hostPath);
    else if (kind) await unlink(hostPath);
  }
}

/** What a container's records no longer name (a crash between bind and commit): every bind left in the share. */
export async function unshareLeftovers(pod: PodContext): Promise<void> {
  const names = await readdir(hostSharedDir(pod)).catch(() => []);
  const left = names.filter((n) => SHARED_NAME.test(n)).map((n) => ({ destination: '', hostPath: join(hostSharedDir(pod), n) }));
  await unshareMounts(pod, left);
}

/** At pod stop: every container's rootfs bind, every leftover share, then the shared dir itself once empty (never through a mount). */
export async function releasePodShare(pod: PodContext): Promise<void> {
  for (const c of pod.config.containers) await unbindRootfs(pod, c.id);
  await unshareLeftovers(pod);
  await rmdir(hostSharedDir(pod)).catch(() => {});
}
