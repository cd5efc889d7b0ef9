// Block devices and the device allowlist on the mock hypervisor (which records what is plugged in
// its run dir) with the noop agent, on real files: what a container's deviceInfos and a disk-image
// rootfs plug, that stopping it unplugs them (also from a restarted engine, from the store's
// bookkeeping), hotplug into a running pod, disableBlockDeviceUse, and allowlist refusals.
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mockBlocksFile, mockPluggedBlocks } from '../../server/engine/drivers/hypervisor/mock-hotplug.js';
import { runDirFor, type ContainerConfigInput, type PodConfigInput } from '../../server/engine/index.js';
import { defaultHostDevicePatterns } from '../../server/engine/host-devices.js';
import { MOCK_ROOTFS, mockPod, testEngine, type TestEngine } from '../helpers/engine.js';

const refusal = (p: Promise<unknown>) => p.then(() => ({ code: 'ACCEPTED' }) as const, (e: { code: string; message: string; details?: Record<string, unknown> }) => e);

/** A raw ext4-looking image (the superblock magic is what the engine reads), a qcow2 header, a plain file. */
function images(dir: string) {
  const ext4 = Buffer.alloc(4096);
  ext4.writeUInt16LE(0xef53, 0x438);
  const files = { rootfs: path.join(dir, 'root.img'), raw: path.join(dir, 'data.img'), qcow2: path.join(dir, 'data.qcow2'), text: path.join(dir, 'notes.txt') };
  writeFileSync(files.rootfs, ext4);
  writeFileSync(files.raw, Buffer.alloc(4096));
  writeFileSync(files.qcow2, Buffer.concat([Buffer.from('QFI\xfb', 'latin1'), Buffer.alloc(508)]));
  writeFileSync(files.text, 'not a disk\n');
  return files;
}

const pod = (id: string, container: Partial<ContainerConfigInput>, extra: Partial<PodConfigInput> = {}): PodConfigInput => ({
  ...mockPod(id, 0),
  containers: [{ id: 'c1', rootFs: MOCK_ROOTFS, cmd: { args: ['sh'] }, ...container }],
  ...extra,
});

const plugged = async (t: TestEngine, podId: string) => (await mockPluggedBlocks(runDirFor(path.join(t.dir, 'run'), podId))).map((b) => b.source);

describe('block devices on the mock hypervisor', () => {
  it('plugs a rootfs image and deviceInfos disks at start, unplugs them at stop, and a restarted engine unplugs from the store', async () => {
    await using t = testEngine();
    const f = images(t.dir);
    const deviceInfos = [
      { devType: 'b' as const, hostPath: f.raw, containerPath: '/dev/data' },
      { devType: 'b' as const, hostPath: f.qcow2, containerPath: '/dev/qdata' },
      { devType: 'c' as const, containerPath: '/dev/mynull', major: 1, minor: 3 },
      { devType: 'p' as const, containerPath: '/run/fifo' },
    ];
    await t.vc.runPod(pod('p', { rootFs: f.rootfs, deviceInfos }));
    expect(await plugged(t, 'p')).toEqual([f.rootfs, f.raw, f.qcow2]);
    // The mock's default driver is virtio-scsi: one LUN each, in order.
    expect((await mockPluggedBlocks(runDirFor(path.join(t.dir, 'run'), 'p'))).map((b) => b.guest.lun)).toEqual([0, 1, 2]);

    await t.vc.stopContainer('p', 'c1');
    expect(await plugged(t, 'p')).toEqual([]);
    await t.vc.startContainer('p', 'c1');
    expect(await plugged(t, 'p')).toEqual([f.rootfs, f.raw, f.qcow2]);

    const restarted = t.open();
    await restarted.stopContainer('p', 'c1');
    expect(await plugged(t, 'p')).toEqual([]);
    await restarted.stopPod('p');
    await restarted.deletePod('p');
    expect(existsSync(runDirFor(path.join(t.dir, 'run'), 'p'))).toBe(false);
  });

  it('plugs into an already running pod, on virtio-blk bridge slots; nothing stays plugged after StopPod', async () => {
    await using t = testEngine();
    const f = images(t.dir);
    await t.vc.runPod(pod('p', {}, { hypervisorConfig: { blockDeviceDriver: 'virtio-blk', defaultBridges: 2 } }));
    expect(await plugged(t, 'p')).toEqual([]);
    await t.vc.createContainer('p', { id: 'c2', rootFs: MOCK_ROOTFS, cmd: { args: ['sh'] }, deviceInfos: [{ devType: 'b', hostPath: f.raw, containerPath: '/dev/data' }] });
    await t.vc.startContainer('p', 'c2');
    const [block] = await mockPluggedBlocks(runDirFor(path.join(t.dir, 'run'), 'p'));
    expect(block).toMatchObject({ source: f.raw, guest: { driver: 'virtio-blk', pciPath: '1e/01', lun: null } });
    await t.vc.stopPod('p');
    expect(existsSync(mockBlocksFile(runDirFor(path.join(t.dir, 'run'), 'p')))).toBe(false);
    await t.vc.deletePod('p');
  });

  it('unplugs what it plugged when a later disk cannot be plugged', async () => {
    await using t = testEngine();
    const f = images(t.dir);
    await t.vc.runPod(pod('p', {}, { hypervisorConfig: { blockDeviceDriver: 'virtio-blk', defaultBridges: 1 } }));
    // 31 slots on the one bridge: the 32nd disk finds none.
    const deviceInfos = Array.from({ length: 32 }, (_, i) => ({ devType: 'b' as const, hostPath: f.raw, containerPath: `/dev/d${i}` }));
    const err = await refusal(t.vc.createContainer('p', { id: 'c2', rootFs: MOCK_ROOTFS, cmd: { args: ['sh'] }, deviceInfos }));
    expect(err).toMatchObject({ code: 'HYPERVISOR_FAILED', message: expect.stringContaining('every slot is taken') });
    expect(await plugged(t, 'p')).toEqual([]);
    await t.vc.stopPod('p');
    await t.vc.deletePod('p');
  });

  it('honours disableBlockDeviceUse and refuses a file that is no disk image, naming the field', async () => {
    await using t = testEngine();
    const f = images(t.dir);
    const off = { hypervisorConfig: { disableBlockDeviceUse: true } };
    expect(await refusal(t.vc.createPod(pod('p', { rootFs: f.rootfs }, off)))).toMatchObject({
      code: 'INVALID_CONFIG',
      details: { field: 'hypervisorConfig.disableBlockDeviceUse', path: f.rootfs },
      message: expect.stringContaining('containers.0.rootFs'),
    });
    expect(await refusal(t.vc.createPod(pod('p', { rootFs: f.text })))).toMatchObject({ code: 'INVALID_CONFIG', details: { field: 'containers.0.rootFs' } });
    expect(await t.vc.listPod()).toEqual([]);
    // A directory rootfs is shared as ever, with block device use off or on.
    await t.vc.createPod(pod('p', {}, off));
    expect(await refusal(t.vc.createContainer('p', { id: 'c2', rootFs: f.qcow2, cmd: { args: ['sh'] } }))).toMatchObject({
      code: 'INVALID_CONFIG',
      details: { field: 'hypervisorConfig.disableBlockDeviceUse' },
    });
    expect(await refusal(t.vc.createContainer('p', { id: 'c3', rootFs: MOCK_ROOTFS, cmd: { args: ['sh'] }, deviceInfos: [{ devType: 'b', containerPath: '/dev/x' }] }))).toMatchObject({
      code: 'INVALID_CONFIG',
      details: { field: 'deviceInfos.0.hostPath' },
    });
    expect(await refusal(t.vc.createContainer('p', { id: 'c4', rootFs: MOCK_ROOTFS, cmd: { args: ['sh'] }, deviceInfos: [{ devType: 'b', hostPath: f.raw, containerPath: '/dev/x', hotplugged: true }] }))).toMatchObject({
      code: 'INVALID_CONFIG',
      details: { field: 'deviceInfos.0.hotplugged' },
    });
  });
});

describe('the device allowlist', () => {
  it('defaults to PODVISOR_HOST_DEVICES, colon-separated, empty meaning none', () => {
    expect(defaultHostDevicePatterns({ PODVISOR_HOST_DEVICES: '/dev/loop*:/dev/disk/by-id/*' })).toEqual(['/dev/loop*', '/dev/disk/by-id/*']);
    expect(defaultHostDevicePatterns({})).toEqual([]);
  });

  it('refuses a device node no pattern allows, even inside an allowed folder, and allows what a pattern resolves to', async () => {
    await using t = testEngine();
    const link = path.join(t.dir, 'null-link');
    symlinkSync('/dev/null', link);
    const withNull = (hostPath: string) => pod('p', { deviceInfos: [{ devType: 'c', hostPath, containerPath: '/dev/mynull', major: 1, minor: 3 }] });
    expect(await t.vc.hostDevicePatterns()).toEqual([]);
    for (const hostPath of ['/dev/null', link]) {
      expect(await refusal(t.vc.createPod(withNull(hostPath)))).toMatchObject({
        code: 'PERMISSION_DENIED',
        message: `containers.0.deviceInfos.0.hostPath: "${hostPath}" is a device outside the allowed host devices (none allowed)`,
        details: { field: 'containers.0.deviceInfos.0.hostPath', resolved: '/dev/null', patterns: [] },
      });
    }
    // A glob over links (as /dev/disk/by-id/*) allows the nodes they name, however they are reached.
    const byId = path.join(t.dir, 'by-id');
    mkdirSync(byId);
    symlinkSync('/dev/null', path.join(byId, 'null-disk'));
    expect(await t.vc.setHostDevicePatterns([`${byId}/*`, `${byId}/*`])).toEqual([`${byId}/*`]);
    expect(await refusal(t.vc.createPod(withNull(link)))).toMatchObject({ code: 'ACCEPTED' });
    await t.vc.deletePod('p');
    expect(await refusal(t.vc.createPod(withNull('/dev/zero')))).toMatchObject({ code: 'PERMISSION_DENIED' });
    await t.vc.setHostDevicePatterns(['/dev/nul?']);
    expect(await refusal(t.vc.createPod(withNull('/dev/null')))).toMatchObject({ code: 'ACCEPTED' });
    // Same check for a rootFs that is a device node: /dev/null is not a block device either.
    expect(await refusal(t.vc.createContainer('p', { id: 'c2', rootFs: '/dev/zero', cmd: { args: ['sh'] } }))).toMatchObject({ code: 'PERMISSION_DENIED', details: { field: 'rootFs' } });
  });

  it('validates the admin list: absolute patterns without "..", at most 64', async () => {
    await using t = testEngine();
    for (const bad of [['dev/loop*'], ['/dev/../etc/*'], Array.from({ length: 65 }, (_, i) => `/dev/loop${i}`)]) {
      expect(await refusal(t.vc.setHostDevicePatterns(bad))).toMatchObject({ code: 'INVALID_CONFIG' });
    }
    expect(await t.vc.setHostDevicePatterns([])).toEqual([]);
    expect(await t.open().hostDevicePatterns()).toEqual([]);
  });
});
