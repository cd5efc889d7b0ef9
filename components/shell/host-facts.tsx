'use client';
// What this host offers pods: QEMU version, accelerator, and whether the guest assets are built.
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../trpc/client';

export function HostFacts() {
  const trpc = useTRPC();
  const caps = useQuery({ ...trpc.system.capabilities.queryOptions(), staleTime: Infinity });
  if (!caps.data) return null;
  const missing = caps.data.guestAssets.filter((a) => !a.present).map((a) => a.name);
  return (
    <dl className="host-facts" aria-label="Host">
      <div>
        <dt>QEMU</dt>
        <dd>{caps.data.qemuVersion ?? 'not found'}</dd>
      </div>
      <div>
        <dt>Accel</dt>
        <dd>
          {caps.data.accelerator}
          {caps.data.kvmDevice ? ' · /dev/kvm' : ''}
        </dd>
      </div>
      <div>
        <dt>Guest</dt>
        <dd title={caps.data.guestDir}>{missing.length ? `missing ${missing.join(', ')}` : 'ready'}</dd>
      </div>
    </dl>
  );
}
