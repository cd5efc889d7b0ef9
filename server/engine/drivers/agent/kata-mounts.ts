// Host-side filesystem sharing for the kata agent: the shared directory the guest mounts
// (mount options live only here) and the per-container rootfs bind mounts inside it.
import { mkdir, readFile, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Storage } from '../../../guest/protocol/ops.js';
import { EngineError } from '../../errors.js';
import type { PodContext } from '../types.js';

const run = promisify(execFile);

/** Where the guest agent mounts the pod's shared dir, as upstream kata. */
export const GUEST_SHARED_DIR = '/run/kata-containers/shared/containers';
export const SHARED_TAG = 'kataShared';

/** How the guest mounts the share this driver contributes (9p: the only transport so far). */
export function sharedStorage(): Storage {
  return { source: SHARED_TAG, fstype: '9p', options: ['trans=virtio', 'version=9p2000.L', 'msize=524288', 'cache=mmap', 'nodev'], mountPoint: GUEST_SHARED_DIR };
}

/** The agent driver owns the pod's shared directory: it contributes it to the VM as `kataShared`. */
export function hostSharedDir(pod: PodContext): string {
  return join(pod.runDir, 'shared');
}

export function rootfsMountPoint(pod: PodContext, containerId: string): string {
  return join(hostSharedDir(pod), containerId, 'rootfs');
}

async function isMounted(path: string): Promise<boolean> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  return mountinfo.split('\n').some((line) => line.split(' ')[4] === path);
}

/** Bind-mounts the container's rootfs where the guest expects it; read-only if asked. */
export async function bindRootfs(pod: PodContext, containerId: string, rootFs: string, readonly: boolean): Promise<void> {
  const target = rootfsMountPoint(pod, containerId);
  await mkdir(target, { recursive: true });
  try {
    if (!(await isMounted(target))) await run('mount', ['--bind', rootFs, target]);
    if (readonly) await run('mount', ['-o', 'remount,bind,ro', target]);
  } catch (err) {
    await unbindRootfs(pod, containerId);
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new EngineError('AGENT_FAILED', `cannot share the rootfs ${rootFs} of container ${containerId}: ${stderr || String(err)}`, undefined, { cause: err });
  }
}

/**
 * Idempotent: unmounts (lazily, in case the guest still holds it) and removes the now empty
 * mount point. rmdir, never rm -r: a mount we failed to notice must not cost the user's rootfs.
 */
export async function unbindRootfs(pod: PodContext, containerId: string): Promise<void> {
  const target = rootfsMountPoint(pod, containerId);
  while (await isMounted(target)) await run('umount', ['-l', target]);
  for (const dir of [target, join(hostSharedDir(pod), containerId)]) {
    await rmdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
}
