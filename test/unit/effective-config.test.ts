// The effective hypervisor configuration: what wins for each field (vmConfig, the config, a
// custom-asset annotation, the driver default), with its source, and the plain config the QEMU
// argv builder reads, so that `pod status` and the launch cannot disagree.
import { describe, expect, it } from 'vitest';
import { effectiveHypervisorConfig, withEffectiveValues, type HypervisorDefaults } from '../../server/engine/effective-config.js';
import { PodConfigSchema } from '../../server/engine/types.js';

const DEFAULTS: HypervisorDefaults = {
  vcpus: 1,
  memoryMiB: 256,
  defaultBridges: 1,
  blockDeviceDriver: 'virtio-scsi',
  sharedFs: 'virtio-fs',
  machineType: 'pc',
  kernelPath: '/guest/vmlinux',
  imagePath: '/guest/image.erofs',
  initrdPath: '/guest/initrd.img',
  hypervisorPath: '/usr/bin/qemu-system-x86_64',
  firmwarePath: '',
};
const pod = (over: Record<string, unknown> = {}) => PodConfigSchema.parse({ id: 'p', ...over });

describe('effective hypervisor config', () => {
  it('fills every unset field with the driver default and says so', () => {
    const e = effectiveHypervisorConfig(pod(), DEFAULTS);
    expect(Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v.value]))).toEqual({ ...DEFAULTS, maxVcpus: 1 });
    expect(Object.values(e).every((v) => v.source === 'default')).toBe(true);
  });

  it('takes vmConfig before hypervisorConfig, and names the field that won', () => {
    const both = effectiveHypervisorConfig(pod({ vmConfig: { vcpus: 3, memory: 512 }, hypervisorConfig: { defaultVcpus: 2, defaultMemSz: 1024 } }), DEFAULTS);
    expect(both.vcpus).toEqual({ value: 3, source: 'vmConfig.vcpus' });
    expect(both.memoryMiB).toEqual({ value: 512, source: 'vmConfig.memory' });
    const config = effectiveHypervisorConfig(pod({ hypervisorConfig: { defaultVcpus: 2, defaultMemSz: 1024 } }), DEFAULTS);
    expect(config.vcpus).toEqual({ value: 2, source: 'hypervisorConfig.defaultVcpus' });
    expect(config.memoryMiB).toEqual({ value: 1024, source: 'hypervisorConfig.defaultMemSz' });
  });

  it('never has fewer hotpluggable vCPUs than vCPUs', () => {
    expect(effectiveHypervisorConfig(pod({ vmConfig: { vcpus: 4 }, hypervisorConfig: { defaultMaxVcpus: 2 } }), DEFAULTS).maxVcpus).toEqual({ value: 4, source: 'vmConfig.vcpus' });
    expect(effectiveHypervisorConfig(pod({ vmConfig: { vcpus: 2 }, hypervisorConfig: { defaultMaxVcpus: 8 } }), DEFAULTS).maxVcpus).toEqual({ value: 8, source: 'hypervisorConfig.defaultMaxVcpus' });
  });

  it('lets a custom-asset annotation beat the configured path, and an empty one set nothing', () => {
    const e = effectiveHypervisorConfig(
      pod({
        hypervisorConfig: { kernelPath: '/cfg/vmlinux', imagePath: '/cfg/image' },
        annotations: { 'com.github.containers.virtcontainers.KernelPath': '/ann/vmlinux', 'com.github.containers.virtcontainers.ImagePath': '', 'com.github.containers.virtcontainers.FirmwarePath': '/ann/bios.bin' },
      }),
      DEFAULTS,
    );
    expect(e.kernelPath).toEqual({ value: '/ann/vmlinux', source: 'annotations.com.github.containers.virtcontainers.KernelPath' });
    expect(e.imagePath).toEqual({ value: '/cfg/image', source: 'hypervisorConfig.imagePath' });
    expect(e.firmwarePath).toEqual({ value: '/ann/bios.bin', source: 'annotations.com.github.containers.virtcontainers.FirmwarePath' });
    expect(e.initrdPath.source).toBe('default');
  });

  it('keeps configured enums and writes the effective values into the plain config for the argv builder', () => {
    const p = pod({ hypervisorConfig: { sharedFs: 'virtio-9p', hypervisorMachineType: 'q35', blockDeviceDriver: 'virtio-blk', kernelParams: [{ key: 'quiet' }] } });
    const e = effectiveHypervisorConfig(p, DEFAULTS);
    expect([e.sharedFs, e.machineType, e.blockDeviceDriver]).toEqual([
      { value: 'virtio-9p', source: 'hypervisorConfig.sharedFs' },
      { value: 'q35', source: 'hypervisorConfig.hypervisorMachineType' },
      { value: 'virtio-blk', source: 'hypervisorConfig.blockDeviceDriver' },
    ]);
    const plain = withEffectiveValues(p.hypervisorConfig, e);
    expect(plain).toMatchObject({ defaultVcpus: 1, defaultMaxVcpus: 1, defaultMemSz: 256, defaultBridges: 1, kernelPath: '/guest/vmlinux', sharedFs: 'virtio-9p', hypervisorMachineType: 'q35' });
    expect(plain.kernelParams).toEqual([{ key: 'quiet', value: '' }]);
  });
});
