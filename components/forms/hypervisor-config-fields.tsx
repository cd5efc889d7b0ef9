'use client';
// Every HypervisorConfig field; empty paths and numbers mean "the driver's default" (var/guest assets, 1 vCPU, 256 MiB).
import { HypervisorConfigSchema } from '../../server/engine/types';
import { FlagField } from './flag-field';
import { HYPERVISOR_FLAGS, HYPERVISOR_NUMBER_FIELDS, HYPERVISOR_TEXT_FIELDS } from './pod-form-model';
import { SelectField } from './select-field';
import { TextField } from './text-field';

const LABELS: Record<string, string> = {
  kernelPath: 'Kernel path',
  initrdPath: 'Initrd path',
  imagePath: 'Image path',
  firmwarePath: 'Firmware path',
  hypervisorPath: 'QEMU binary path',
  machineAccelerators: 'Machine accelerators',
  defaultVcpus: 'Default vCPUs',
  defaultMaxVcpus: 'Max vCPUs',
  defaultMemSz: 'Default memory (MiB)',
  defaultBridges: 'PCI bridges',
  debug: 'Debug',
  memPrealloc: 'Preallocate memory',
  hugePages: 'Huge pages',
  realtime: 'Realtime',
  mlock: 'Lock memory (mlock)',
  disableNestingChecks: 'Disable nesting checks',
  disableBlockDeviceUse: 'Disable block devices',
};

const field = (name: string) => ({ path: `hypervisor.${name}`, errorPath: `hypervisorConfig.${name}`, label: LABELS[name] ?? name });

export function HypervisorConfigFields() {
  const { hypervisorMachineType, blockDeviceDriver } = HypervisorConfigSchema.shape;
  return (
    <div className="form-grid">
      {HYPERVISOR_TEXT_FIELDS.map((name) => (
        <TextField key={name} {...field(name)} placeholder="default" />
      ))}
      {HYPERVISOR_NUMBER_FIELDS.map((name) => (
        <TextField key={name} {...field(name)} inputMode="numeric" placeholder="default" />
      ))}
      <SelectField {...field('hypervisorMachineType')} label="Machine type" options={hypervisorMachineType.unwrap().options} />
      <SelectField {...field('blockDeviceDriver')} label="Block device driver" options={blockDeviceDriver.unwrap().options} />
      <TextField {...field('kernelParams')} label="Kernel parameters" hint="key=value, one a line" rows={2} />
      <TextField {...field('hypervisorParams')} label="Hypervisor parameters" hint="key=value, one a line" rows={2} />
      <div className="field field-wide checkbox-group">
        {HYPERVISOR_FLAGS.map((name) => (
          <FlagField key={name} path={`hypervisor.${name}`} label={LABELS[name]!} />
        ))}
      </div>
    </div>
  );
}
