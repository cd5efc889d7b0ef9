// Per-container figures of one sample, from two consecutive reads of the guest's cgroups (the
// agent's GuestStats): CPU % of one guest CPU from the usage_usec delta, memory as read.
import type { ContainerStats } from '../engine/index.js';

export interface ContainerSample {
  containerId: string;
  /** Of one guest CPU over the interval; null on a container's first read (or a new cgroup: usage went back). */
  cpuPercent: number | null;
  memoryBytes: number | null;
}

export function containerSamples(before: readonly ContainerStats[], now: readonly ContainerStats[], seconds: number): ContainerSample[] {
  const previous = new Map(before.map((c) => [c.containerId, c.cpuUsageUsec]));
  return now.map((c) => {
    const then = previous.get(c.containerId);
    const delta = c.cpuUsageUsec !== null && then != null && c.cpuUsageUsec >= then && seconds > 0 ? c.cpuUsageUsec - then : null;
    return { containerId: c.containerId, cpuPercent: delta === null ? null : Math.round((delta / (seconds * 1e6)) * 1000) / 10, memoryBytes: c.memoryBytes };
  });
}
