// What the guest itself can tell the host's metrics sampler (GuestStats): its memory as its kernel
// sees it (/proc/meminfo; QEMU's RSS on the host says only what the VM has touched), and
// per-container figures from cgroup v2, read where crun puts each container: the guest's cgroup2
// mount (guest/init mounts it at /sys/fs/cgroup) plus the config's cgroupsPath (oci-spec.ts). With
// crun's cgroup manager disabled (the host-run agent of tests) there is no such directory: no figures.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cgroupsPathOf } from './oci-spec.js';

export const CGROUP2_MOUNT = '/sys/fs/cgroup';

/** `usage_usec` of a cpu.stat (present without the cpu controller too); null if it has none. */
export function parseCpuUsageUsec(cpuStat: string): number | null {
  const match = /^usage_usec (\d+)$/m.exec(cpuStat);
  return match ? Number(match[1]) : null;
}

/** memory.current: one number of bytes; null if it is not one. */
export function parseMemoryCurrent(text: string): number | null {
  const value = text.trim();
  return /^\d+$/.test(value) ? Number(value) : null;
}

export interface CgroupFigures {
  cpuUsageUsec: number | null;
  /** Null when the memory controller is not enabled for the cgroup. */
  memoryBytes: number | null;
}

const readOrNull = (path: string) => readFile(path, 'utf8').catch(() => null);

/** The container's figures, or null when it has no cgroup (never started, deleted, no cgroup manager). */
export async function readContainerCgroup(containerId: string, mount = CGROUP2_MOUNT): Promise<CgroupFigures | null> {
  const dir = join(mount, cgroupsPathOf(containerId));
  const [cpuStat, memory] = await Promise.all([readOrNull(join(dir, 'cpu.stat')), readOrNull(join(dir, 'memory.current'))]);
  if (cpuStat === null) return null;
  return { cpuUsageUsec: parseCpuUsageUsec(cpuStat), memoryBytes: memory === null ? null : parseMemoryCurrent(memory) };
}

/** MemTotal and MemAvailable of a /proc/meminfo text, in bytes; null if either is missing. */
export function parseMeminfo(text: string): { totalBytes: number; availableBytes: number } | null {
  const kib = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB$`, 'm').exec(text);
    return match ? Number(match[1]) * 1024 : null;
  };
  const totalBytes = kib('MemTotal');
  const availableBytes = kib('MemAvailable');
  return totalBytes === null || availableBytes === null ? null : { totalBytes, availableBytes };
}

/** The memory of the system this agent runs in (the guest's, in a VM). */
export async function readGuestMemory(meminfo = '/proc/meminfo'): Promise<{ totalBytes: number; availableBytes: number } | null> {
  const text = await readOrNull(meminfo);
  return text === null ? null : parseMeminfo(text);
}
