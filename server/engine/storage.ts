// What a config's volumes, mounts and devices mean, and what Podvisor can do with them. Checked by
// CreatePod, RunPod and CreateContainer after the host-path allowlist, before anything boots:
// a setting Podvisor cannot honour is refused (NOT_SUPPORTED), never accepted and ignored.
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from './errors.js';
import type { ContainerConfig, DeviceInfo, Mount, PodConfig, Volume } from './types.js';

const BIND = ['bind', 'rbind'];
/** The pod's shared directory travels under this tag (kata-mounts.ts); a volume may not take it. */
const RESERVED_TAGS = ['kataShared'];
/** Filesystems a container may have made inside the guest (a bind is the only way to reach host data). */
export const GUEST_FILESYSTEMS = ['tmpfs', 'ramfs', 'proc', 'sysfs', 'devpts', 'mqueue', 'cgroup', 'cgroup2'];
/** Upstream shares no bind mount onto these: they are the guest's own (devices come through deviceInfos). */
const SYSTEM_DIRS = ['/proc', '/sys', '/dev'];

/** As OCI: a bind by its type or by its options (`type: none, options: [rbind]`). */
export const isBindMount = (m: Mount) => BIND.includes(m.type) || m.options.some((o) => BIND.includes(o));
export const isReadOnly = (m: Mount) => m.readOnly || m.options.includes('ro');
/** A bind source that is not a path names a volume by its tag (a path is absolute, so it has a '/'). */
export const namesVolume = (m: Mount) => isBindMount(m) && !m.source.includes('/');

const under = (dir: string, p: string) => p === dir || p.startsWith(`${dir}/`);

function refuse(code: 'INVALID_CONFIG' | 'NOT_SUPPORTED', field: string, message: string, extra: Record<string, unknown> = {}): never {
  throw new EngineError(code, `${field}: ${message}`, { field, ...extra, issues: [{ path: field.split('.'), message }] });
}

function checkMount(m: Mount, field: string, volumes: Volume[]): void {
  const destination = path.posix.normalize(m.destination);
  if (m.destination.split('/').some((s) => s === '.' || s === '..')) refuse('INVALID_CONFIG', `${field}.destination`, 'must not contain "." or ".." components');
  if (destination === '/') refuse('INVALID_CONFIG', `${field}.destination`, 'cannot be the root: that is rootFs');
  if (m.hostPath) refuse('INVALID_CONFIG', `${field}.hostPath`, "is set by Podvisor (where the bind mount is in the pod's share, kept in the container's state); leave it empty");
  if (!isBindMount(m)) {
    if (!GUEST_FILESYSTEMS.includes(m.type)) refuse('NOT_SUPPORTED', `${field}.type`, `"${m.type}" is neither a bind mount nor a filesystem made in the guest (${GUEST_FILESYSTEMS.join(', ')})`);
    return;
  }
  const system = SYSTEM_DIRS.find((dir) => under(dir, destination));
  if (system) refuse('INVALID_CONFIG', `${field}.destination`, `a bind mount onto ${system} is not shared: ${system} is the guest's own (use deviceInfos for devices, or a tmpfs, devpts or mqueue mount)`);
  if (namesVolume(m) && !volumes.some((v) => v.mountTag === m.source)) refuse('INVALID_CONFIG', `${field}.source`, `names no volume of the pod (a host path must be absolute)`, { path: m.source });
}

/**
 * What a rootFs that is not a directory is: a block device, or a disk image file as an operator
 * hands it (qcow2 by its header, else raw holding a filesystem the guest mounts: ext2/3/4 by its
 * superblock magic). null: a directory (shared as today). Anything else is refused.
 */
export async function blockRootfsOf(rootFs: string): Promise<{ format: 'raw' | 'qcow2'; device: boolean } | null> {
  const s = await stat(rootFs).catch(() => null);
  if (!s || s.isDirectory()) return null; // a missing one is the host-path check's to refuse
  if (s.isBlockDevice()) return { format: 'raw', device: true };
  if (!s.isFile()) throw new EngineError('INVALID_CONFIG', `rootFs: "${rootFs}" is neither a directory, a disk image nor a block device`, { path: rootFs });
  return { format: await imageFormatOf(rootFs, true), device: false };
}

const QCOW2_MAGIC = Buffer.from('QFI\xfb', 'latin1');
const EXT_MAGIC_OFFSET = 0x438; // s_magic in the superblock at 1024: 0xEF53, little-endian

/** qcow2 by its magic, else raw; `needFilesystem`: a raw image must hold ext2/3/4 (a rootfs the guest mounts). */
export async function imageFormatOf(file: string, needFilesystem = false): Promise<'raw' | 'qcow2'> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(EXT_MAGIC_OFFSET + 2);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    if (bytesRead >= 4 && head.subarray(0, 4).equals(QCOW2_MAGIC)) return 'qcow2';
    if (needFilesystem && !(bytesRead === head.length && head.readUInt16LE(EXT_MAGIC_OFFSET) === 0xef53)) {
      throw new EngineError('INVALID_CONFIG', `rootFs: "${file}" is neither a directory, a disk image (qcow2, or raw ext2/3/4) nor a block device`, { path: file });
    }
    return 'raw';
  } finally {
    await handle.close();
  }
}

function checkDevice(d: DeviceInfo, field: string): void {
  const destination = path.posix.normalize(d.containerPath);
  if (d.containerPath.split('/').some((s) => s === '.' || s === '..')) refuse('INVALID_CONFIG', `${field}.containerPath`, 'must not contain "." or ".." components');
  if (destination === '/') refuse('INVALID_CONFIG', `${field}.containerPath`, 'cannot be the root');
  if (d.hotplugged) refuse('INVALID_CONFIG', `${field}.hotplugged`, "is set by Podvisor (whether it plugged the device, kept in the container's state); leave it false");
  if (d.devType === 'b' && !d.hostPath) refuse('INVALID_CONFIG', `${field}.hostPath`, 'a block device needs the host device or disk image to plug into the VM');
}

type PodStorage = Pick<PodConfig, 'volumes' | 'hypervisorConfig'>;

/** `prefix` is where the container sits in the call's input: `containers.0.` for CreatePod, '' for CreateContainer. */
export async function checkContainerStorage(c: ContainerConfig, pod: PodStorage, prefix = ''): Promise<void> {
  c.mounts.forEach((m, i) => checkMount(m, `${prefix}mounts.${i}`, pod.volumes));
  c.deviceInfos.forEach((d, i) => checkDevice(d, `${prefix}deviceInfos.${i}`));
  const block = await blockRootfsOf(c.rootFs).catch((err: unknown) => {
    if (err instanceof EngineError) refuse('INVALID_CONFIG', `${prefix}rootFs`, err.message.replace(/^rootFs: /, ''));
    throw err;
  });
  if (block && pod.hypervisorConfig.disableBlockDeviceUse) {
    refuse('INVALID_CONFIG', 'hypervisorConfig.disableBlockDeviceUse', `is true, so ${prefix}rootFs "${c.rootFs}" (a ${block.device ? 'block device' : `${block.format} disk image`}) cannot be plugged in: give a directory, or allow block device use`, { path: c.rootFs });
  }
}

export async function checkPodStorage(pod: PodConfig): Promise<void> {
  pod.volumes.forEach((v, i) => {
    if (RESERVED_TAGS.includes(v.mountTag)) refuse('INVALID_CONFIG', `volumes.${i}.mountTag`, `"${v.mountTag}" is reserved for the pod's shared directory`);
  });
  for (const [i, c] of pod.containers.entries()) await checkContainerStorage(c, pod, `containers.${i}.`);
}
