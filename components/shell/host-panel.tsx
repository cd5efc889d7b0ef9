'use client';
// `/host`: what this host offers pods, each fact as found: the accelerator in use and why, QEMU and
// guest asset versions, the shared filesystem and network support present, memory for new pods.
import { useQuery } from '@tanstack/react-query';
import { formatBytes } from '../metrics/pod-metrics';
import { useTRPC } from '../trpc/client';
import { errorMessage } from '../ui/error-message';
import { FactList } from '../ui/fact-list';

const yes = (found: boolean) => (found ? 'found' : 'missing');

export function HostPanel() {
  const trpc = useTRPC();
  const facts = useQuery(trpc.host.facts.queryOptions());
  if (facts.isPending) return <p className="empty" role="status">Probing the host…</p>;
  if (facts.isError) return <p className="inline-error" role="alert">{errorMessage(facts.error)}</p>;
  const f = facts.data;
  const why = f.reason ?? (f.accelerator === 'tcg' ? (f.kvmDevice ? 'KVM was refused by an earlier probe this boot (its reason was not kept), using TCG' : 'no /dev/kvm on this host, using TCG') : 'a probe guest booted under KVM');
  return (
    <div className="detail-grid">
      <section className="card" aria-labelledby="accel-heading">
        <h2 id="accel-heading">Accelerator</h2>
        <p className="host-accel" data-accelerator={f.accelerator}>
          <strong className="mono">{f.accelerator}</strong> — <span className="host-accel-reason">{why}</span>
        </p>
        <FactList
          facts={[
            ['/dev/kvm', f.kvmDevice ? 'present' : 'absent'],
            ['Forced', f.forced ? 'yes (PODVISOR_ACCEL)' : 'no'],
            ['QEMU', f.qemuVersion ?? 'not found'],
          ]}
        />
      </section>
      <section className="card" aria-labelledby="memory-heading">
        <h2 id="memory-heading">Memory for new pods</h2>
        <FactList
          facts={[
            ['Available', formatBytes(f.memory.availableBytes)],
            ['Total', formatBytes(f.memory.totalBytes)],
          ]}
        />
        <p className="field-hint">MemAvailable from /proc/meminfo: what the kernel can give new VMs without swapping.</p>
      </section>
      <section className="card" aria-labelledby="guest-heading">
        <h2 id="guest-heading">Guest assets</h2>
        <FactList
          facts={[
            ['Directory', f.guest.dir],
            ['Kernel', f.guest.kernel ?? 'unknown'],
            ['Build stamp', f.guest.stamp ?? 'none'],
            ...f.guest.assets.map((a): [string, string] => [a.name, a.present ? `${formatBytes(a.bytes)}, built ${a.builtAt?.slice(0, 16).replace('T', ' ')}` : 'missing']),
          ]}
        />
      </section>
      <section className="card" aria-labelledby="support-heading">
        <h2 id="support-heading">Shared filesystem and network</h2>
        <FactList
          facts={[
            ['Shared FS default', f.sharedFs.default],
            ['virtiofsd', f.sharedFs.virtiofsd ?? 'not installed (9p only)'],
            ['/dev/net/tun', yes(f.network.tun)],
            ['vhost-net', f.network.vhostNet ? 'found' : 'absent (QEMU moves packets itself)'],
            ...f.network.plugins.map((p): [string, string] => [`CNI ${p.name}`, yes(p.found)]),
            ['CNI plugin dirs', f.network.cniPluginDirs.join(':')],
          ]}
        />
      </section>
    </div>
  );
}
