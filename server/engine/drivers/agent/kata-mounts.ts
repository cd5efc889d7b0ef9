// Host-side filesystem sharing for the kata agent: the shared directory and the pod's volumes the
// guest mounts (mount options live only here), and the bind mounts into the shared directory.
import { mkdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Storage, VolumeStorage } from '../../../guest/protocol/ops.js';
import { EngineError } from '../../errors.js';
import { isMountPoint } from '../../host/linux.js';
import type { Volume } from '../../types.js';
import type { SharedFs, VmDevice, VmEndpoints } from '../devices.js';
import type { PodContext } from '../types.js';

const run = promisify(execFile);

/** Where the guest agent mounts the pod's shared dir, as upstream kata. */
export const GUEST_SHARED_DIR = '/run/kata-containers/shared/containers';
export const SHARED_TAG = 'kataShared';
/** The guest's fstype and options per transport; the shared dir and the volumes mount alike. */
const SHARE_FS: Record<SharedFs, { fstype: string; options: string[] }> = {
  'virtio-9p': { fstype: '9p', options: ['trans=virtio', 'version=9p2000.L', 'msize=524288', 'cache=mmap', 'nodev'] },
  'virtio-fs': { fstype: 'virtiofs', options: ['nodev'] },
};

/** How the guest mounts share `tag`: the transport the hypervisor chose for it, never a guess. */
function shareMount(vm: VmEndpoints, tag: string): { fstype: string; options: string[] } {
  const fs = vm.shares[tag];
  if (!fs) throw new EngineError('AGENT_FAILED', `the hypervisor gave no endpoint for share ${tag}`);
  return { fstype: SHARE_FS[fs].fstype, options: [...SHARE_FS[fs].options] };
}

/** How the guest mounts the share this driver contributes. */
export function sharedStorage(vm: VmEndpoints): Storage {
  return { source: SHARED_TAG, ...shareMount(vm, SHARED_TAG), mountPoint: GUEST_SHARED_DIR };
}

/** Each volume reaches the VM as a share by its tag; the guest agent mounts it at CreateSandbox. */
export function volumeShares(volumes: Volume[]): VmDevice[] {
  return volumes.map((v) => ({ kind: 'share', tag: v.mountTag, hostPath: v.hostPath, readOnly: false }));
}

export function volumeStorages(volumes: Volume[], vm: VmEndpoints): VolumeStorage[] {
  return volumes.map((v) => ({ source: v.mountTag, ...shareMount(vm, v.mountTag) }));
}

/** The agent driver owns the pod's shared directory: it contributes it to the VM as `kataShared`. */
export function hostSharedDir(pod: PodContext): string {
  return join(pod.runDir, 'shared');
}

export function rootfsMountPoint(pod: PodContext, containerId: string): string {
  return join(hostSharedDir(pod), containerId, 'rootfs');
}

/**
 * Binds `source` onto the existing `target`, then makes that view read-only if asked: the remount
 * applies to the bind only, so the source itself stays writable on the host.
 */
export async function bindMount(source: string, target: string, readOnly: boolean): Promise<void> {
  if (!(await isMountPoint(target))) await run('mount', ['--bind', source, target]);
  if (readOnly) await run('mount', ['-o', 'remount,bind,ro', target]);
}

/** Unmounts everything stacked on `target`, lazily in case the guest still holds it. */
export async function unmountAll(target: string): Promise<void> {
  while (await isMountPoint(target)) await run('umount', ['-l', target]);
}

export const mountFailure = (what: string, err: unknown) => {
  const stderr = (err as { stderr?: string }).stderr?.trim();
  return new EngineError('AGENT_FAILED', `cannot share ${what}: ${stderr || String(err)}`, undefined, { cause: err });
};

/** Bind-mounts the container's rootfs where the guest expects it; read-only if asked. */
export async function bindRootfs(pod: PodContext, containerId: string, rootFs: string, readonly: boolean): Promise<void> {
  const target = rootfsMountPoint(pod, containerId);
  await mkdir(target, { recursive: true });
  try {
    await bindMount(rootFs, target, readonly);
  } catch (err) {
    await unbindRootfs(pod, containerId);
    throw mountFailure(`the rootfs ${rootFs} of container ${containerId}`, err);
  }
}

/**
 * Idempotent: unmounts and removes the now empty mount point. rmdir, never rm -r: a mount we
 * failed to notice must not cost the user's rootfs.
 */
export async function unbindRootfs(pod: PodContext, containerId: string): Promise<void> {
  const target = rootfsMountPoint(pod, containerId);
  await unmountAll(target);
  for (const dir of [target, join(hostSharedDir(pod), containerId)]) {
    await rmdir(dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOENT') throw err;
    });
  }
}
