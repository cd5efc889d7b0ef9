'use client';
// The pod page's metrics: CPU, memory, storage and network of the pod's VM as charts over the
// sampler's window (server/metrics/sampler.ts samples on the host while this page is open), and
// beside them what the guest says: its own memory use and each container's CPU and memory from
// its cgroups, so a busy container can be told from a busy VM.
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTRPC } from '../trpc/client';
import { TimeChart } from './time-chart';
import './metrics.css';

export const formatBytes = (bytes: number) => {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value >= 100 || unit === 0 ? 0 : 1)} ${units[unit]}`;
};
const perSecond = (bytes: number) => `${formatBytes(bytes)}/s`;
const percent = (value: number) => `${value.toFixed(1)} %`;
/** One line per container; colours cycle after eight, the legend names them. */
const CONTAINER_COLORS = ['#3b82f6', '#16a34a', '#f59e0b', '#ec4899', '#8b5cf6', '#0ea5e9', '#ef4444', '#64748b'];

interface Sample {
  containers: { containerId: string; cpuPercent: number | null; memoryBytes: number | null }[];
}

/** A series per container seen in the window; a sample without that container has a gap. */
function containerCharts(samples: readonly Sample[]) {
  const ids = [...new Set(samples.flatMap((s) => s.containers.map((c) => c.containerId)))].sort();
  const series = (pick: (c: Sample['containers'][number]) => number | null) =>
    ids.map((id, i) => ({
      label: id,
      color: CONTAINER_COLORS[i % CONTAINER_COLORS.length]!,
      values: samples.map((s) => {
        const c = s.containers.find((x) => x.containerId === id);
        return c ? pick(c) : null;
      }),
    }));
  return { containerCpu: series((c) => c.cpuPercent), containerMemory: series((c) => c.memoryBytes) };
}

export function PodMetrics({ podId, hasVm }: { podId: string; hasVm: boolean }) {
  const trpc = useTRPC();
  const metrics = useQuery({ ...trpc.metrics.pod.queryOptions({ podId }), refetchInterval: 2_000, enabled: hasVm });
  const samples = metrics.data?.samples;
  const charts = useMemo(() => {
    if (!samples) return null;
    const times = samples.map((s) => s.time);
    const netMeasured = samples.some((s) => s.netRxRate !== null);
    return {
      times,
      cpu: [{ label: 'QEMU CPU', color: '#3b82f6', values: samples.map((s) => s.cpuPercent) }],
      memory: [
        { label: 'QEMU RSS', color: '#16a34a', values: samples.map((s) => s.rssBytes) },
        ...(samples.some((s) => s.guestMemoryUsedBytes !== null) ? [{ label: 'guest in use', color: '#f59e0b', values: samples.map((s) => s.guestMemoryUsedBytes) }] : []),
      ],
      ...containerCharts(samples),
      block: [
        { label: 'read', color: '#0ea5e9', values: samples.map((s) => s.blockReadRate) },
        { label: 'write', color: '#f59e0b', values: samples.map((s) => s.blockWriteRate) },
      ],
      net: netMeasured
        ? [
            { label: 'rx', color: '#8b5cf6', values: samples.map((s) => s.netRxRate) },
            { label: 'tx', color: '#ec4899', values: samples.map((s) => s.netTxRate) },
          ]
        : null,
    };
  }, [samples]);

  const windowMin = metrics.data ? Math.round(metrics.data.windowMs / 60_000) : null;
  return (
    <section className="card pod-metrics" aria-labelledby="metrics-heading">
      <h2 id="metrics-heading">Metrics</h2>
      {!hasVm ? (
        <p className="empty">No VM process: the pod is stopped or its hypervisor (mock) runs none.</p>
      ) : !charts || charts.times.length === 0 ? (
        <p className="empty" role="status">
          Sampling…
        </p>
      ) : (
        <>
          <div className="chart-grid">
            <TimeChart title="CPU (of one host core)" times={charts.times} series={charts.cpu} format={percent} />
            <TimeChart title="Memory" times={charts.times} series={charts.memory} format={formatBytes} />
            {charts.containerCpu.length ? (
              <>
                <TimeChart title="Containers: CPU (of one guest CPU)" times={charts.times} series={charts.containerCpu} format={percent} />
                <TimeChart title="Containers: memory" times={charts.times} series={charts.containerMemory} format={formatBytes} />
              </>
            ) : (
              <p className="field-hint">Containers: this pod&apos;s agent does not report its containers&apos; cgroups (hyperstart has no such command), or none has started.</p>
            )}
            <TimeChart title="Storage I/O" times={charts.times} series={charts.block} format={perSecond} />
            {charts.net ? (
              <TimeChart title="Network" times={charts.times} series={charts.net} format={perSecond} />
            ) : (
              <p className="field-hint">Network: the VM shares the engine&apos;s network namespace, so its traffic cannot be told apart from the host&apos;s.</p>
            )}
          </div>
          <p className="field-hint">
            QEMU process {samples?.at(-1)?.pid}, read from /proc on the host every {(metrics.data?.intervalMs ?? 0) / 1000} s while a page looks; the last {windowMin} min are kept. Also at <code>/metrics</code> for Prometheus.
          </p>
        </>
      )}
    </section>
  );
}
