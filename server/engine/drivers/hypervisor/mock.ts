// Upstream's mock hypervisor: every call succeeds and no VM exists. For fast tests of engine logic.
// It still answers the device contract: every contributed device gets an (unusable) endpoint.
import type { VmEndpoints } from '../devices.js';
import type { Hypervisor } from './types.js';

export function createMockHypervisor(): Hypervisor {
  return {
    async startVm(_pod, plan) {
      const endpoints: VmEndpoints = { serialPorts: {}, nics: {} };
      for (const d of plan.devices) {
        if (d.kind === 'serialPort') endpoints.serialPorts[d.name] = '';
        if (d.kind === 'nic') endpoints.nics[d.id] = { mac: d.mac, vhost: false };
      }
      return { state: { mock: true, endpoints }, endpoints };
    },
    async stopVm() {},
    async pauseVm() {},
    async resumeVm() {},
    async check(pod) {
      return pod.runtime.hypervisor['paused'] ? 'paused' : 'running';
    },
    info() {
      return null;
    },
    endpoints() {
      return null;
    },
  };
}
