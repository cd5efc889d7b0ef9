// A QemuLaunch as the qemu driver resolves one for pod p1 (fixed UUID, paths under /run/pv/p1 and
// /g), for the snapshot tests of the pure argv builders.
import type { LaunchDevice, LaunchShare, QemuLaunch } from '../../server/engine/drivers/hypervisor/qemu/args.js';
import { HypervisorConfigSchema, type HypervisorConfig } from '../../server/engine/types.js';

export const AGENT_PORT: LaunchDevice = { kind: 'serialPort', name: 'agent.channel.0', socketPath: '/run/pv/p1/agent.channel.0.sock' };
export const SHARED: LaunchShare = { kind: 'share', tag: 'kataShared', hostPath: '/run/pv/p1/shared', readOnly: false, fs: 'virtio-9p' };

export function testLaunch(overrides: Partial<QemuLaunch> = {}, config: Partial<HypervisorConfig> = {}): QemuLaunch {
  return {
    podId: 'p1',
    uuid: '00000000-0000-4000-8000-000000000001',
    hostname: 'web 1',
    config: HypervisorConfigSchema.parse(config),
    vcpus: 1,
    memoryMiB: 256,
    accelerator: 'tcg',
    kernelPath: '/g/vmlinux',
    initrdPath: '/g/initrd.img',
    imagePath: '/g/image.erofs',
    hugetlbfsPath: null,
    sockets: { qmp: '/run/pv/p1/qmp.sock', console: '/run/pv/p1/console.sock' },
    consoleLog: '/run/pv/p1/console.log',
    devices: [AGENT_PORT, SHARED],
    ...overrides,
  };
}
