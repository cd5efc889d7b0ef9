// Which pods' VMs can be clones of a template (qemu/template.ts), and why the others boot cold. The
// template and clone command lines are pinned in qemu-args.test.ts.
import { describe, expect, it } from 'vitest';
import { cloneBlocker } from '../../server/engine/drivers/hypervisor/qemu/template.js';
import type { PodContext } from '../../server/engine/drivers/types.js';
import { PodConfigSchema } from '../../server/engine/types.js';

describe('cloneBlocker', () => {
  const pod = (hypervisorConfig: Record<string, unknown>): PodContext =>
    ({ id: 'p', config: PodConfigSchema.parse({ id: 'p', hypervisorType: 'qemu', hypervisorConfig }), runDir: '/r', runtime: { hypervisor: {}, agent: {}, network: {} }, log: undefined as never });
  const share = { kind: 'share' as const, tag: 'kataShared', hostPath: '/r/shared', readOnly: false };
  const nic = { kind: 'nic' as const, id: 'eth0', mac: '02:00:00:00:00:01', mtu: 1500, queues: 1, backend: { type: 'tap' as const, ifname: 'tap0' } };

  it('lets a 9p pod without NICs be a clone', () => {
    expect(cloneBlocker(pod({ sharedFs: 'virtio-9p' }), { netNsPath: '', devices: [share] })).toBeNull();
  });

  it('says why other pods boot cold', () => {
    expect(cloneBlocker(pod({ sharedFs: 'virtio-9p' }), { netNsPath: '', devices: [share, nic] })).toMatch(/NICs/);
    expect(cloneBlocker(pod({ sharedFs: 'virtio-fs' }), { netNsPath: '', devices: [share] })).toMatch(/vhost-user-fs blocks migration/);
    expect(cloneBlocker(pod({ sharedFs: 'virtio-9p', hugePages: true }), { netNsPath: '', devices: [share] })).toMatch(/hugePages/);
  });
});
