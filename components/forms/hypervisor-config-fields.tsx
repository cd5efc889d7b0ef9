'use client';
// Every HypervisorConfig field; empty paths and numbers mean "the driver's default" (var/guest assets, 1 vCPU, 256 MiB).
import { HypervisorConfigSchema } from '../../server/engine/types';
import { CheckboxField } from '../ui/checkbox-field';
import { HYPERVISOR_FLAGS, HYPERVISOR_NUMBER_FIELDS, HYPERVISOR_TEXT_FIELDS } from './pod-form-model';
import { SelectField } from './select-field';
import { TextField } from './text-field';
import type { FieldBinding } from './use-form-model';

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

const field = (form: FieldBinding, name: string) => ({ form, path: `hypervisor.${name}`, errorPath: `hypervisorConfig.${name}`, label: LABELS[name] ?? name });

export function HypervisorConfigFields({ form }: { form: FieldBinding }) {
  const { hypervisorMachineType, blockDeviceDriver } = HypervisorConfigSchema.shape;
  return (
    <div className="form-grid">
      {HYPERVISOR_TEXT_FIELDS.map((name) => (
        <TextField key={name} {...field(form, name)} placeholder="default" />
      ))}
      {HYPERVISOR_NUMBER_FIELDS.map((name) => (
        <TextField key={name} {...field(form, name)} inputMode="numeric" placeholder="default" />
      ))}
      <SelectField {...field(form, 'hypervisorMachineType')} label="Machine type" options={hypervisorMachineType.unwrap().options} />
      <SelectField {...field(form, 'blockDeviceDriver')} label="Block device driver" options={blockDeviceDriver.unwrap().options} />
      <TextField {...field(form, 'kernelParams')} label="Kernel parameters" hint="key=value, one a line" rows={2} />
      <TextField {...field(form, 'hypervisorParams')} label="Hypervisor parameters" hint="key=value, one a line" rows={2} />
      <div className="field field-wide checkbox-group">
        {HYPERVISOR_FLAGS.map((name) => (
          <CheckboxField key={name} label={LABELS[name]!} checked={Boolean(form.get(`hypervisor.${name}`))} onChange={(v) => form.set(`hypervisor.${name}`, v)} />
        ))}
      </div>
    </div>
  );
}
