'use client';
// CPU and memory of the pod's VM process, sampled every two seconds, with a sparkline of the last
// two minutes. Pods without a VM process (mock hypervisor, stopped) say so.
import { useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTRPC } from '../trpc/client';
import { formatKiB } from '../ui/format';
import { Sparkline } from '../ui/sparkline';

const HISTORY = 60;

export function PodUsage({ podId, hasVm }: { podId: string; hasVm: boolean }) {
  const trpc = useTRPC();
  const usage = useQuery({ ...trpc.system.podUsage.queryOptions({ podId }), enabled: hasVm, refetchInterval: 2_000 });
  const [samples, setSamples] = useState<{ cpu: number; rss: number }[]>([]);
  useEffect(() => {
    const u = usage.data;
    if (u) setSamples((s) => [...s.slice(-(HISTORY - 1)), { cpu: u.cpuPercent, rss: u.rssKiB }]);
  }, [usage.data]);

  const latest = usage.data;
  return (
    <section className="card" aria-labelledby="usage-heading">
      <h2 id="usage-heading">VM resources</h2>
      {!hasVm ? (
        <p className="empty">No VM process: the pod is stopped or its hypervisor (mock) runs none.</p>
      ) : !latest ? (
        <p className="empty" role="status">
          Sampling…
        </p>
      ) : (
        <div className="usage">
          <div className="metric">
            <span className="metric-label">CPU</span>
            <span className="metric-value" aria-label="CPU usage">
              {latest.cpuPercent.toFixed(1)} %
            </span>
            <Sparkline values={samples.map((s) => s.cpu)} max={100} label="CPU usage over the last two minutes" />
          </div>
          <div className="metric">
            <span className="metric-label">Memory (RSS)</span>
            <span className="metric-value" aria-label="Memory usage">
              {formatKiB(latest.rssKiB)}
            </span>
            <Sparkline values={samples.map((s) => s.rss)} label="Memory usage over the last two minutes" />
          </div>
          <p className="field-hint">QEMU process {latest.pid}</p>
        </div>
      )}
    </section>
  );
}
