// The pod's drivers and VM at a glance (a key/value card).
import type { PodConfig, PodStatus } from '../../server/engine/types';
import { FactList } from '../ui/fact-list';

export function PodSummary({ status, config }: { status: PodStatus; config: PodConfig | undefined }) {
  // With the driver's defaults applied, as the VM boots (the VM configuration card says from where).
  const { vcpus, memoryMiB } = status.effectiveHypervisorConfig;
  const facts: [string, string][] = [
    ['Hypervisor', status.hypervisor],
    ['Accelerator', status.vm?.accelerator ?? '—'],
    ['VM PID', status.vm?.pid ? String(status.vm.pid) : '—'],
    ['vCPUs', String(vcpus.value)],
    ['Memory', `${memoryMiB.value} MiB`],
    ['Agent', status.agent],
    ['Proxy', config?.proxyType ?? '…'],
    ['Shim', config?.shimType ?? '…'],
    ['Network', config?.networkModel ?? '…'],
    ['Hostname', config?.hostname || '—'],
    ['Volumes', config?.volumes.map((v) => `${v.mountTag}:${v.hostPath}`).join(', ') || '—'],
    ['Hooks', config ? String(Object.values(config.hooks).flat().length) : '…'],
    ['Console log', status.vm?.consoleLog || '—'],
  ];
  return (
    <section className="card" aria-labelledby="summary-heading">
      <h2 id="summary-heading">Overview</h2>
      <FactList facts={facts} />
    </section>
  );
}
