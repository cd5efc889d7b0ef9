// Upstream's mock hypervisor: every call succeeds and no VM process exists. For fast tests of engine
// logic. It still answers the device contract: every contributed device gets an (unusable) endpoint.
// Its "VM" is a file in the run dir, so that tests can see one leak and can kill one (remove it):
// check() then reports the VM dead, as a QEMU that was kill -9'd.
import { access, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HypervisorDefaults } from '../../effective-config.js';
import type { VmEndpoints } from '../devices.js';
import type { PodContext } from '../types.js';
import { createMockBlockHotplug, mockBlocksFile } from './mock-hotplug.js';
import type { Hypervisor } from './types.js';

/** Upstream's defaults (1 vCPU, 2 GiB, one bridge, virtio-scsi, 9p); the mock boots no asset. */
const MOCK_DEFAULTS: HypervisorDefaults = {
  vcpus: 1,
  memoryMiB: 2048,
  defaultBridges: 1,
  blockDeviceDriver: 'virtio-scsi',
  sharedFs: 'virtio-9p',
  machineType: 'pc',
  kernelPath: '',
  imagePath: '',
  initrdPath: '',
  hypervisorPath: '',
  firmwarePath: '',
};

export const mockVmFile = (runDir: string) => join(runDir, 'mock-vm');

/** Records made before the file existed (seeded pods) have none and stay "running". */
const vmFileOf = (pod: PodContext) => (typeof pod.runtime.hypervisor['vmFile'] === 'string' ? pod.runtime.hypervisor['vmFile'] : null);

export function createMockHypervisor(): Hypervisor {
  return {
    async startVm(pod, plan) {
      const endpoints: VmEndpoints = { serialPorts: {}, nics: {}, shares: {} };
      for (const d of plan.devices) {
        if (d.kind === 'serialPort') endpoints.serialPorts[d.name] = '';
        if (d.kind === 'share') endpoints.shares[d.tag] = 'virtio-9p';
        if (d.kind === 'nic') endpoints.nics[d.id] = { mac: d.mac, vhost: false };
      }
      const vmFile = mockVmFile(pod.runDir);
      await writeFile(vmFile, pod.id);
      return { state: { mock: true, endpoints, vmFile }, endpoints };
    },
    async stopVm(pod) {
      const vmFile = vmFileOf(pod);
      if (vmFile) await rm(vmFile, { force: true });
      await rm(mockBlocksFile(pod.runDir), { force: true }); // plugged disks go with the VM
    },
    async pauseVm() {},
    async resumeVm() {},
    async check(pod) {
      const vmFile = vmFileOf(pod);
      if (vmFile && !(await access(vmFile).then(() => true, () => false))) return 'dead';
      return pod.runtime.hypervisor['paused'] ? 'paused' : 'running';
    },
    info() {
      return null;
    },
    endpoints() {
      return null;
    },
    blockHotplug: createMockBlockHotplug((pod) => vmFileOf(pod) ?? mockVmFile(pod.runDir)),
    defaults: () => MOCK_DEFAULTS,
  };
}
