// The /metrics text (Prometheus exposition format, via prom-client) of the same figures the console
// charts: per pod the QEMU process's CPU seconds, RSS, storage and network bytes as counters, and
// the pods per state; the guest's own memory view; per container (labels pod, container) its cgroup's CPU seconds and memory in
// the guest. Built from a snapshot each scrape, so a deleted pod's series disappear.
import { Counter, Gauge, Registry } from 'prom-client';
import type { GuestStats } from '../engine/index.js';
import type { ProcCounters } from './proc.js';

export interface ExpositionInput {
  samples: Map<string, ProcCounters>;
  /** Per pod, its guest's newest read (memory, containers' cgroups). */
  guests: Map<string, GuestStats>;
  podStates: { podId: string; state: string }[];
  hostMemoryAvailableBytes: number;
}

export const METRICS_CONTENT_TYPE = Registry.PROMETHEUS_CONTENT_TYPE;

export async function exposition(input: ExpositionInput): Promise<string> {
  const registry = new Registry();
  const registers = [registry];
  const pod = ['pod'] as const;
  const counters = {
    cpu: new Counter({ name: 'podvisor_pod_cpu_seconds_total', help: 'CPU time of the pod VM process (QEMU), user + system', labelNames: pod, registers }),
    blockRead: new Counter({ name: 'podvisor_pod_block_read_bytes_total', help: 'Bytes the pod VM process read from storage', labelNames: pod, registers }),
    blockWrite: new Counter({ name: 'podvisor_pod_block_write_bytes_total', help: 'Bytes the pod VM process wrote to storage', labelNames: pod, registers }),
    netRx: new Counter({ name: 'podvisor_pod_network_receive_bytes_total', help: 'Bytes received on the pod network namespace interfaces (lo excluded)', labelNames: pod, registers }),
    netTx: new Counter({ name: 'podvisor_pod_network_transmit_bytes_total', help: 'Bytes sent on the pod network namespace interfaces (lo excluded)', labelNames: pod, registers }),
  };
  const rss = new Gauge({ name: 'podvisor_pod_memory_rss_bytes', help: 'Resident memory of the pod VM process (QEMU)', labelNames: pod, registers });
  const pods = new Gauge({ name: 'podvisor_pods', help: 'Pods by state', labelNames: ['state'] as const, registers });
  const guestMemory = new Gauge({ name: 'podvisor_pod_guest_memory_used_bytes', help: 'Memory in use as the guest kernel sees it (MemTotal - MemAvailable)', labelNames: pod, registers });
  const guestMemoryTotal = new Gauge({ name: 'podvisor_pod_guest_memory_total_bytes', help: 'Memory of the guest (its MemTotal)', labelNames: pod, registers });
  const podContainer = ['pod', 'container'] as const;
  const containerCpu = new Counter({ name: 'podvisor_container_cpu_seconds_total', help: 'CPU time of the container in the guest (its cgroup cpu.stat usage_usec)', labelNames: podContainer, registers });
  const containerMemory = new Gauge({ name: 'podvisor_container_memory_bytes', help: 'Memory charged to the container in the guest (its cgroup memory.current)', labelNames: podContainer, registers });
  const hostFree = new Gauge({ name: 'podvisor_host_memory_available_bytes', help: 'MemAvailable of the host, what new pods can take', registers });

  for (const [podId, s] of input.samples) {
    const labels = { pod: podId };
    counters.cpu.inc(labels, s.cpuSeconds);
    counters.blockRead.inc(labels, s.blockReadBytes);
    counters.blockWrite.inc(labels, s.blockWriteBytes);
    if (s.netRxBytes !== null) counters.netRx.inc(labels, s.netRxBytes);
    if (s.netTxBytes !== null) counters.netTx.inc(labels, s.netTxBytes);
    rss.set(labels, s.rssBytes);
  }
  for (const [podId, guest] of input.guests) {
    if (guest.memory) {
      guestMemory.set({ pod: podId }, guest.memory.totalBytes - guest.memory.availableBytes);
      guestMemoryTotal.set({ pod: podId }, guest.memory.totalBytes);
    }
    for (const c of guest.containers) {
      const labels = { pod: podId, container: c.containerId };
      if (c.cpuUsageUsec !== null) containerCpu.inc(labels, c.cpuUsageUsec / 1e6);
      if (c.memoryBytes !== null) containerMemory.set(labels, c.memoryBytes);
    }
  }
  const byState = new Map<string, number>();
  for (const p of input.podStates) byState.set(p.state, (byState.get(p.state) ?? 0) + 1);
  for (const [state, count] of byState) pods.set({ state }, count);
  hostFree.set(input.hostMemoryAvailableBytes);
  return registry.metrics();
}
