'use client';
// What this host offers pods: QEMU version, accelerator, and whether the guest assets are built.
import { useQuery } from '@tanstack/react-query';
import { useTRPC } from '../trpc/client';

function accelTitle(facts: { accelerator: string; kvmDevice: boolean; forced: boolean }): string {
  if (facts.forced) return `${facts.accelerator} forced by PODVISOR_ACCEL`;
  if (facts.accelerator === 'kvm') return 'KVM: a probe guest booted under it';
  return facts.kvmDevice ? 'TCG: /dev/kvm exists but a probe guest did not boot under it (nested virtualisation?)' : 'TCG: no /dev/kvm on this host';
}

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
        <dd title={accelTitle(caps.data)}>
          {caps.data.accelerator}
          {caps.data.accelerator === 'tcg' && caps.data.kvmDevice && !caps.data.forced ? ' · KVM unusable' : ''}
        </dd>
      </div>
      <div>
        <dt>Guest</dt>
        <dd title={caps.data.guestDir}>{missing.length ? `missing ${missing.join(', ')}` : 'ready'}</dd>
      </div>
    </dl>
  );
}
