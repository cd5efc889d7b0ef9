// The guest agent finds a plugged disk by where the host put it on the PCI tree, checks its
// serial, and makes container nodes with the guest kernel's numbers; a character device the guest
// kernel lacks is refused. Run against a sysfs tree laid out as the 6.1 guest kernel lays it out.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findBlock, ociDevices } from '../../server/guest/agent/devices.js';
import { buildConfig } from '../../server/guest/agent/oci-spec.js';

const sysfs = mkdtempSync(join(tmpdir(), 'pv-sysfs-'));
afterAll(() => rmSync(sysfs, { recursive: true, force: true }));

function disk(name: string, dev: string, serial: string | null) {
  mkdirSync(join(sysfs, 'block', name), { recursive: true });
  writeFileSync(join(sysfs, 'block', name, 'dev'), `${dev}\n`);
  if (serial !== null) writeFileSync(join(sysfs, 'block', name, 'serial'), serial);
}
const pci = join(sysfs, 'devices', 'pci0000:00');
// The guest image on root slot 4, a disk on slot 3 of the bridge at 0x1f (the kernel numbered its bus 1).
mkdirSync(join(pci, '0000:00:04.0', 'virtio1', 'block', 'vda'), { recursive: true });
mkdirSync(join(pci, '0000:00:1f.0', '0000:01:03.0', 'virtio5', 'block', 'vdb'), { recursive: true });
disk('vdb', '254:16', 'pv0badcafe');
// A SCSI disk at LUN 2 of the controller on root slot 0x1a.
mkdirSync(join(pci, '0000:00:1a.0', 'virtio3', 'host0', 'target0:0:0', '0:0:0:2', 'block', 'sdb'), { recursive: true });
disk('sdb', '8:16', null);
mkdirSync(join(sysfs, 'dev', 'char', '1:3'), { recursive: true });

describe('findBlock', () => {
  it('finds a virtio-blk disk behind a bridge and a SCSI disk by LUN, with the guest numbers', async () => {
    expect(await findBlock({ driver: 'virtio-blk', pciPath: '1f/03', lun: null, serial: 'pv0badcafe' }, { sysfs })).toEqual({ name: 'vdb', major: 254, minor: 16 });
    expect(await findBlock({ driver: 'virtio-scsi', pciPath: '1a', lun: 2, serial: 'pv00000001' }, { sysfs })).toEqual({ name: 'sdb', major: 8, minor: 16 });
  });

  it('refuses a disk whose serial is not the one plugged, and gives up on one that never appears', async () => {
    await expect(findBlock({ driver: 'virtio-blk', pciPath: '1f/03', lun: null, serial: 'pv11111111' }, { sysfs })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(findBlock({ driver: 'virtio-blk', pciPath: '1f/04', lun: null, serial: 'pv0badcafe' }, { sysfs, timeoutMs: 0 })).rejects.toMatchObject({ code: 'TIMEOUT' });
    await expect(findBlock({ driver: 'virtio-scsi', pciPath: '1a', lun: 3, serial: 'pv0badcafe' }, { sysfs, timeoutMs: 0 })).rejects.toMatchObject({ code: 'TIMEOUT' });
  });
});

describe('the SCSI drivers, loaded at the first SCSI disk (guest/init leaves them out)', () => {
  it('runs modprobe once for virtio_scsi and sd_mod, not for virtio-blk disks, and again after a failure', async () => {
    const calls = join(sysfs, 'modprobe-calls');
    const modprobe = join(sysfs, 'modprobe');
    writeFileSync(modprobe, `#!/bin/sh\necho "$*" >>${calls}\n[ ! -e ${calls}.fail ]\n`, { mode: 0o755 });
    const scsi = { driver: 'virtio-scsi', pciPath: '1a', lun: 2, serial: 'pv00000001' } as const;
    const read = () => readFileSync(calls, 'utf8').trim().split('\n');
    writeFileSync(`${calls}.fail`, '');
    await expect(findBlock(scsi, { sysfs, modprobe })).rejects.toMatchObject({ code: 'RUNTIME_FAILED' });
    rmSync(`${calls}.fail`);
    await findBlock({ driver: 'virtio-blk', pciPath: '1f/03', lun: null, serial: 'pv0badcafe' }, { sysfs, modprobe });
    expect(read()).toEqual(['-a virtio_scsi sd_mod']);
    expect(await findBlock(scsi, { sysfs, modprobe })).toEqual({ name: 'sdb', major: 8, minor: 16 });
    await findBlock(scsi, { sysfs, modprobe });
    expect(read()).toEqual(['-a virtio_scsi sd_mod', '-a virtio_scsi sd_mod']);
  });
});

describe('ociDevices', () => {
  const owner = { fileMode: 0o640, uid: 1000, gid: 6 };
  it('makes the disk with the guest numbers, the char device the kernel has, and a FIFO; each allowed in the cgroup', async () => {
    const devices = await ociDevices(
      [
        { type: 'b', containerPath: '/dev/data', block: { driver: 'virtio-blk', pciPath: '1f/03', lun: null, serial: 'pv0badcafe' }, ...owner },
        { type: 'c', containerPath: '/dev/mynull', major: 1, minor: 3, ...owner },
        { type: 'p', containerPath: '/run/fifo', ...owner },
      ],
      sysfs,
    );
    expect(devices).toEqual([
      { path: '/dev/data', type: 'b', major: 254, minor: 16, ...owner },
      { path: '/dev/mynull', type: 'c', major: 1, minor: 3, ...owner },
      { path: '/run/fifo', type: 'p', major: 0, minor: 0, ...owner },
    ]);
    const config = buildConfig({ containerId: 'c1', rootfs: '/r', readonlyRootfs: false, hostname: 'h', process: {}, networkFiles: null, mounts: [], devices });
    expect(config['linux']).toMatchObject({
      devices,
      resources: { devices: [{ allow: true, type: 'b', major: 254, minor: 16, access: 'rwm' }, { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }] },
    });
    expect(buildConfig({ containerId: 'c1', rootfs: '/r', readonlyRootfs: false, hostname: 'h', process: {}, networkFiles: null, mounts: [] })['linux']).not.toHaveProperty('devices');
  });

  it('refuses a character device the guest kernel does not have, naming the deviceInfo', async () => {
    await expect(ociDevices([{ type: 'p', containerPath: '/f', ...owner }, { type: 'u', containerPath: '/dev/x', major: 10, minor: 229, ...owner }], sysfs)).rejects.toMatchObject({
      code: 'NOT_SUPPORTED',
      message: expect.stringMatching(/^deviceInfos\.1: .*10:229/),
    });
  });
});
