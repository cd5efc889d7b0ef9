// The pod's volumes in the guest: each share the host contributed under a tag is mounted at
// <volumes dir>/<tag> at CreateSandbox and unmounted at DestroySandbox. Container bind mounts
// from a volume resolve to paths under these mounts.
import { mkdir, realpath, rmdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { ProtocolError } from '../protocol/messages.js';
import type { VolumeStorage } from '../protocol/ops.js';
import { isMountPoint, mountEntries } from './mountinfo.js';
import { runChecked } from './runtime.js';

export interface VolumeOptions {
  /** Where volumes are mounted (the VM: /run/kata-containers/shared/volumes). */
  volumesDir: string;
  /**
   * Null in a VM. An agent run on a host (tests) has no 9p: the export of tag T is the directory
   * `<volumeExports>/T`, which the test harness sets up in QEMU's place.
   */
  volumeExports: string | null;
}

/** Tag → where the volume is mounted in this sandbox. */
export type MountedVolumes = ReadonlyMap<string, string>;

async function mountArgs(options: VolumeOptions, volume: VolumeStorage, target: string): Promise<string[]> {
  if (options.volumeExports) return ['--bind', join(options.volumeExports, volume.source), target];
  // The kernel lets a 9p tag be mounted only once (EBUSY): one the init mounted already (the
  // development share) is bound from where it is.
  const earlier = (await mountEntries()).find((m) => m.fstype === volume.fstype && m.source === volume.source && m.mountPoint !== target);
  if (earlier) return ['--bind', earlier.mountPoint, target];
  return ['-t', volume.fstype, ...(volume.options.length ? ['-o', volume.options.join(',')] : []), volume.source, target];
}

/** Mounts every volume, or none: on a failure the ones already mounted are unmounted again. */
export async function mountVolumes(options: VolumeOptions, volumes: VolumeStorage[]): Promise<MountedVolumes> {
  const mounted = new Map<string, string>();
  try {
    for (const volume of volumes) {
      const target = join(options.volumesDir, volume.source);
      await mkdir(target, { recursive: true });
      if (!(await isMountPoint(target))) await runChecked('mount', await mountArgs(options, volume, target));
      mounted.set(volume.source, target);
    }
  } catch (err) {
    await unmountVolumes(mounted);
    throw err;
  }
  return mounted;
}

/** Lazily, as a container may still hold one; rmdir only: never delete through a mount. */
export async function unmountVolumes(mounted: MountedVolumes): Promise<void> {
  for (const target of mounted.values()) {
    while (await isMountPoint(target)) await runChecked('umount', ['-l', target]);
    await rmdir(target).catch(() => {});
  }
}

/**
 * The guest path of `path` inside volume `tag`, symlinks resolved. A container can write symlinks
 * into a volume, so a path leading out of the volume (into the guest's root) is refused.
 */
export async function volumePath(mounted: MountedVolumes, tag: string, path: string): Promise<string> {
  const root = mounted.get(tag);
  if (!root) throw new ProtocolError('INVALID_ARGUMENT', `volume "${tag}" is not mounted in this sandbox`);
  const realRoot = await realpath(root);
  const resolved = await realpath(join(root, path)).catch((err: NodeJS.ErrnoException) => {
    throw new ProtocolError('INVALID_ARGUMENT', `"${path}" in volume "${tag}": ${err.code ?? err.message}`);
  });
  const rel = relative(realRoot, resolved);
  if (rel === '..' || rel.startsWith('../')) throw new ProtocolError('INVALID_ARGUMENT', `"${path}" in volume "${tag}" leads out of the volume`);
  return resolved;
}
