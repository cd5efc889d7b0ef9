// Upstream's mock hypervisor: every call succeeds and no VM exists. For fast tests of engine logic.
import type { Hypervisor } from './types.js';

export function createMockHypervisor(): Hypervisor {
  return {
    async startVm() {
      return { mock: true };
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
  };
}
