// What a config's volumes, mounts and devices mean, and what Podvisor can do with them. Checked by
// CreatePod, RunPod and CreateContainer after the host-path allowlist, before anything boots:
// a setting Podvisor cannot honour is refused (NOT_SUPPORTED), never accepted and ignored.
import path from 'node:path';
import { EngineError } from './errors.js';
import type { ContainerConfig, Mount, PodConfig, Volume } from './types.js';

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

/** `prefix` is where the container sits in the call's input: `containers.0.` for CreatePod, '' for CreateContainer. */
export function checkContainerStorage(c: ContainerConfig, volumes: Volume[], prefix = ''): void {
  c.mounts.forEach((m, i) => checkMount(m, `${prefix}mounts.${i}`, volumes));
  if (c.deviceInfos.length) refuse('NOT_SUPPORTED', `${prefix}deviceInfos`, 'passing devices into containers is not implemented yet');
}

export function checkPodStorage(pod: PodConfig): void {
  pod.volumes.forEach((v, i) => {
    if (RESERVED_TAGS.includes(v.mountTag)) refuse('INVALID_CONFIG', `volumes.${i}.mountTag`, `"${v.mountTag}" is reserved for the pod's shared directory`);
  });
  const h = pod.hypervisorConfig;
  // disableBlockDeviceUse is honoured as it is: no rootfs or device is ever put on a block device.
  if (h.blockDeviceDriver) refuse('NOT_SUPPORTED', 'hypervisorConfig.blockDeviceDriver', 'no block device is attached to a VM yet, so there is nothing to drive; leave it empty');
  if (h.defaultBridges) refuse('NOT_SUPPORTED', 'hypervisorConfig.defaultBridges', 'PCI bridges serve device hotplug, which is not implemented yet; leave it 0');
  pod.containers.forEach((c, i) => checkContainerStorage(c, pod.volumes, `containers.${i}.`));
}
