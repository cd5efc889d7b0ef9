// The pod's VM as it is configured to boot: the shared filesystem in use and every hypervisor
// setting with the default applied, each with the field that set it (or "default"). The same
// values the qemu driver launches from (server/engine/effective-config.ts).
import type { PodStatus } from '../../server/engine/types';
import { FactList } from '../ui/fact-list';
import { TableHead } from '../ui/table-head';

type Key = keyof PodStatus['effectiveHypervisorConfig'];
const ROWS: [label: string, key: Key, unit?: string][] = [
  ['vCPUs', 'vcpus'],
  ['Max vCPUs', 'maxVcpus'],
  ['Memory', 'memoryMiB', ' MiB'],
  ['PCI bridges', 'defaultBridges'],
  ['Block device driver', 'blockDeviceDriver'],
  ['Shared filesystem', 'sharedFs'],
  ['Machine type', 'machineType'],
  ['Kernel', 'kernelPath'],
  ['Image', 'imagePath'],
  ['Initrd', 'initrdPath'],
  ['Hypervisor binary', 'hypervisorPath'],
  ['Firmware', 'firmwarePath'],
];

/** What the shared directory travels over: the running VM's word, else what a boot uses. */
export function sharedFsLabel(status: PodStatus): string {
  if (status.vm) return `${status.vm.sharedFs} (in use)`;
  const configured = status.effectiveHypervisorConfig.sharedFs.value;
  return status.state === 'stopped' ? `${configured} (at the next boot)` : `${configured} (no VM process: ${status.hypervisor} hypervisor)`;
}

export function EffectiveConfig({ status }: { status: PodStatus }) {
  const e = status.effectiveHypervisorConfig;
  return (
    <section className="card" aria-labelledby="effective-config-heading">
      <h2 id="effective-config-heading">VM configuration</h2>
      <FactList facts={[['Shared filesystem', sharedFsLabel(status)]]} />
      <table className="data" aria-label="Effective hypervisor configuration">
        <TableHead columns={['Setting', 'Value', 'From']} />
        <tbody>
          {ROWS.map(([label, key, unit = '']) => (
            <tr key={key}>
              <td>{label}</td>
              <td className="mono">{e[key].value === '' ? 'none' : `${e[key].value}${unit}`}</td>
              <td className={e[key].source === 'default' ? 'empty' : 'mono'}>{e[key].source}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
