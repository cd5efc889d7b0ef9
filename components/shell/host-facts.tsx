'use client';
// The sidebar's host summary: QEMU version, the accelerator pods actually run under (with the
// probe's reason on hover and on the host page), whether the guest assets are built, free memory.
import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { formatBytes } from '../metrics/pod-metrics';
import { useTRPC } from '../trpc/client';

export function HostFacts() {
  const trpc = useTRPC();
  const facts = useQuery({ ...trpc.host.facts.queryOptions(), staleTime: 30_000 });
  if (!facts.data) return null;
  const f = facts.data;
  const missing = f.guest.assets.filter((a) => !a.present).map((a) => a.name);
  return (
    <dl className="host-facts" aria-label="Host">
      <div>
        <dt>QEMU</dt>
        <dd>{f.qemuVersion ?? 'not found'}</dd>
      </div>
      <div>
        <dt>Accel</dt>
        <dd title={f.reason ?? undefined} data-accelerator={f.accelerator}>
          {f.accelerator}
          {f.accelerator === 'tcg' && f.kvmDevice && !f.forced ? ' · KVM unusable' : ''}
        </dd>
      </div>
      <div>
        <dt>Guest</dt>
        <dd title={f.guest.dir}>{missing.length ? `missing ${missing.join(', ')}` : 'ready'}</dd>
      </div>
      <div>
        <dt>Free</dt>
        <dd title="MemAvailable: what new pods can take without swapping">{formatBytes(f.memory.availableBytes)}</dd>
      </div>
      <div>
        <dt />
        <dd>
          <Link href="/host">Host details</Link>
        </dd>
      </div>
    </dl>
  );
}
