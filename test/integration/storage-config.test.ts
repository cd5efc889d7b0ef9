// What CreatePod, RunPod and CreateContainer refuse about storage before anything boots
// (server/engine/storage.ts, after the host-path allowlist): bind sources outside the allowlist,
// bind mounts onto the guest's own /proc, /sys and /dev, volumes a mount names but the pod lacks,
// and every setting Podvisor cannot honour yet (NOT_SUPPORTED naming the field, never ignored).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ContainerConfigInput, PodConfigInput } from '../../server/engine/index.js';
import { MOCK_ROOTFS, mockPod, testEngine } from '../helpers/engine.js';

type MountInput = NonNullable<ContainerConfigInput['mounts']>[number];

const pod = (mounts: MountInput[], extra: Partial<PodConfigInput> = {}): PodConfigInput => ({
  ...mockPod('p', 0),
  containers: [{ id: 'c1', rootFs: MOCK_ROOTFS, cmd: { args: ['sh'] }, mounts }],
  ...extra,
});
const container = (id: string, mounts: MountInput[]): ContainerConfigInput => ({ id, rootFs: MOCK_ROOTFS, cmd: { args: ['sh'] }, mounts });
type Outcome = { code: string; message: string; details?: Record<string, unknown> };
const refusal = (p: Promise<unknown>): Promise<Outcome> => p.then(() => ({ code: 'ACCEPTED', message: '' }), (e: Outcome) => e);

describe('storage in pod and container configs', () => {
  it('refuses a bind source outside the allowlist with PERMISSION_DENIED naming the field', async () => {
    await using t = testEngine();
    expect(await refusal(t.vc.createPod(pod([{ source: '/etc', destination: '/host-etc' }])))).toMatchObject({
      code: 'PERMISSION_DENIED',
      details: { field: 'containers.0.mounts.0.source', path: '/etc' },
    });
    await t.vc.createPod(pod([]));
    expect(await refusal(t.vc.createContainer('p', container('c2', [{ source: '/root', destination: '/r', type: 'none', options: ['rbind'] }])))).toMatchObject({
      code: 'PERMISSION_DENIED',
      details: { field: 'mounts.0.source' },
    });
  });

  it('refuses bind mounts onto /proc, /sys and /dev, and accepts filesystems made there in the guest', async () => {
    await using t = testEngine();
    const data = path.join(t.dir, 'data');
    mkdirSync(data);
    for (const destination of ['/proc', '/proc/sys/kernel', '/sys/fs', '/dev', '/dev/shm/']) {
      const err = await refusal(t.vc.createPod(pod([{ source: data, destination }])));
      expect(err, destination).toMatchObject({ code: 'INVALID_CONFIG', details: { field: 'containers.0.mounts.0.destination' } });
      expect(err.message).toContain("is the guest's own");
    }
    const guestOwn: MountInput[] = [
      { source: 'shm', destination: '/dev/shm', type: 'tmpfs', options: ['size=128m'] },
      { source: 'proc', destination: '/proc', type: 'proc' },
      { source: 'mqueue', destination: '/dev/mqueue', type: 'mqueue' },
      { source: data, destination: '/procfs-is-not-proc' },
    ];
    expect(await refusal(t.vc.createPod(pod(guestOwn)))).toMatchObject({ code: 'ACCEPTED' });
  });

  it('refuses mount destinations that hide their intent or replace the root', async () => {
    await using t = testEngine();
    const tmpfs = (destination: string): MountInput => ({ source: 'tmpfs', destination, type: 'tmpfs' });
    for (const destination of ['/', '/a/../proc', '/./x']) {
      expect(await refusal(t.vc.createPod(pod([tmpfs(destination)]))), destination).toMatchObject({ code: 'INVALID_CONFIG', details: { field: 'containers.0.mounts.0.destination' } });
    }
  });

  it('binds from a volume by its tag only when the pod has that volume', async () => {
    await using t = testEngine();
    const volumes = [{ mountTag: 'data', hostPath: path.join(t.dir, 'vol') }];
    expect(await refusal(t.vc.createPod(pod([{ source: 'logs', destination: '/logs' }], { volumes })))).toMatchObject({
      code: 'INVALID_CONFIG',
      details: { field: 'containers.0.mounts.0.source', path: 'logs' },
    });
    await t.vc.createPod(pod([{ source: 'data', destination: '/data', readOnly: true }], { volumes }));
    expect(await refusal(t.vc.createContainer('p', container('c2', [{ source: 'data', destination: '/d' }])))).toMatchObject({ code: 'ACCEPTED' });
    expect(await refusal(t.vc.createContainer('p', container('c3', [{ source: 'other', destination: '/d' }])))).toMatchObject({
      code: 'INVALID_CONFIG',
      details: { field: 'mounts.0.source' },
    });
    // A refusal before the lock records nothing.
    expect((await t.vc.statusPod('p')).containersStatus.map((c) => c.id)).toEqual(['c1', 'c2']);
  });

  it('refuses volume tags QEMU or the guest could misread, and the shared directory\'s tag', async () => {
    await using t = testEngine();
    const volume = (mountTag: string) => pod([], { volumes: [{ mountTag, hostPath: path.join(t.dir, 'vol') }] });
    for (const tag of ['a,b', '../x', 'with space', '.hidden']) {
      expect(await refusal(t.vc.createPod(volume(tag))), tag).toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringContaining('volumes.0.mountTag') });
    }
    expect(await refusal(t.vc.createPod(volume('kataShared')))).toMatchObject({ code: 'INVALID_CONFIG', details: { field: 'volumes.0.mountTag' } });
  });

  it('refuses what it cannot honour with NOT_SUPPORTED naming the field', async () => {
    await using t = testEngine();
    const cases: [Partial<PodConfigInput>, string][] = [
      [{ containers: [container('c1', [{ source: path.join(t.dir, 'disk.img'), destination: '/disk', type: 'ext4' }])] }, 'containers.0.mounts.0.type'],
    ];
    for (const [extra, field] of cases) {
      const err = await refusal(t.vc.createPod({ ...mockPod('p', 0), ...extra }));
      expect(err, field).toMatchObject({ code: 'NOT_SUPPORTED', details: { field } });
      expect(err.message.startsWith(`${field}: `)).toBe(true);
    }
    // Block devices, bridges and the block driver are honoured now (block-devices.test.ts); a directory rootfs needs no block device.
    const block = { blockDeviceDriver: 'virtio-blk' as const, defaultBridges: 1, disableBlockDeviceUse: true };
    expect(await refusal(t.vc.createPod({ ...mockPod('p', 1), hypervisorConfig: block }))).toMatchObject({ code: 'ACCEPTED' });
  });
});
