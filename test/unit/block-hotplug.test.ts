// The pure parts of block hotplug: the bridges and SCSI controller on the command line, which
// slot or LUN a new disk takes, and the QMP commands that plug it.
import { describe, expect, it } from 'vitest';
import { PluggedBlockSchema } from '../../server/engine/drivers/devices.js';
import { buildQemuArgs, type LaunchDevice } from '../../server/engine/drivers/hypervisor/qemu/args.js';
import {
  blockdevAddArguments,
  deviceAddArguments,
  deviceIdOf,
  guestBlockOf,
  hotplugDevices,
  nodeNameOf,
  pickPlacement,
} from '../../server/engine/drivers/hypervisor/qemu/hotplug-plan.js';
import { AGENT_PORT, testLaunch } from '../helpers/qemu-launch.js';

const launch = (devices: LaunchDevice[]) => testLaunch({ devices });

const deviceLines = (args: string[]) => args.flatMap((a, i) => (args[i - 1] === '-device' ? [a] : []));

describe('hotplug devices on the command line', () => {
  it('puts at least one bridge, at most five, and the SCSI controller for virtio-scsi, the default', () => {
    expect(hotplugDevices({ defaultBridges: 0, blockDeviceDriver: 'virtio-blk' })).toEqual([{ kind: 'pciBridge', index: 0 }]);
    expect(hotplugDevices({ defaultBridges: 2, blockDeviceDriver: 'virtio-scsi' })).toEqual([
      { kind: 'pciBridge', index: 0 },
      { kind: 'pciBridge', index: 1 },
      { kind: 'scsiController' },
    ]);
    expect(hotplugDevices({ defaultBridges: 9, blockDeviceDriver: '' })).toEqual([...[0, 1, 2, 3, 4].map((index) => ({ kind: 'pciBridge', index })), { kind: 'scsiController' }]);
  });

  it('gives bridges fixed slots from 0x1e down and the controller 0x19, after the guest image, on q35 on pcie.0', () => {
    const devices = [AGENT_PORT, ...hotplugDevices({ defaultBridges: 2, blockDeviceDriver: 'virtio-scsi' })];
    expect(deviceLines(buildQemuArgs(launch(devices)))).toMatchInlineSnapshot(`
      [
        "virtio-blk-pci,drive=image",
        "pci-bridge,bus=pci.0,id=pci-bridge-0,chassis_nr=1,shpc=off,addr=0x1e,io-reserve=4k,mem-reserve=1m,pref64-reserve=1m",
        "pci-bridge,bus=pci.0,id=pci-bridge-1,chassis_nr=2,shpc=off,addr=0x1d,io-reserve=4k,mem-reserve=1m,pref64-reserve=1m",
        "virtio-scsi-pci,id=scsi0,bus=pci.0,addr=0x19",
        "virtio-serial-pci,id=vser0",
        "virtserialport,bus=vser0.0,chardev=port0,name=agent.channel.0,id=port0dev",
      ]
    `);
    const q35 = deviceLines(buildQemuArgs(testLaunch({ devices }, { hypervisorMachineType: 'q35' })));
    expect(q35.filter((d) => /^(pci-bridge|virtio-scsi-pci),/.test(d)).map((d) => /bus=([^,]+)/.exec(d)?.[1])).toEqual(['pcie.0', 'pcie.0', 'pcie.0']);
  });
});

describe('placement', () => {
  it('takes the first free bridge slot (never slot 0), then the next bridge; null when all are taken', () => {
    expect(pickPlacement('virtio-blk', 1, [])).toEqual({ driver: 'virtio-blk', bridge: 0, slot: 1 });
    const taken = ['pv00000001-b0s01', 'pv00000002-b0s02', 'port0dev', 'pv00000003-l000'];
    expect(pickPlacement('virtio-blk', 1, taken)).toEqual({ driver: 'virtio-blk', bridge: 0, slot: 3 });
    const full = Array.from({ length: 31 }, (_, i) => deviceIdOf(`pv${String(i).padStart(8, '0')}`, { driver: 'virtio-blk', bridge: 0, slot: i + 1 }));
    expect(pickPlacement('virtio-blk', 1, full)).toBeNull();
    expect(pickPlacement('virtio-blk', 2, full)).toEqual({ driver: 'virtio-blk', bridge: 1, slot: 1 });
  });

  it('takes the first free LUN on the SCSI controller, ignoring bridge slots', () => {
    expect(pickPlacement('virtio-scsi', 1, ['pv00000001-b0s01'])).toEqual({ driver: 'virtio-scsi', lun: 0 });
    expect(pickPlacement('virtio-scsi', 1, ['pv00000001-l000', 'pv00000002-l002'])).toEqual({ driver: 'virtio-scsi', lun: 1 });
  });

  it('names the device by its placement and tells the guest where it is', () => {
    const blk = { driver: 'virtio-blk', bridge: 1, slot: 10 } as const;
    const scsi = { driver: 'virtio-scsi', lun: 7 } as const;
    expect(deviceIdOf('pv0badcafe', blk)).toBe('pv0badcafe-b1s0a');
    expect(deviceIdOf('pv0badcafe', scsi)).toBe('pv0badcafe-l007');
    expect(guestBlockOf('pv0badcafe', blk)).toEqual({ driver: 'virtio-blk', pciPath: '1d/0a', lun: null, serial: 'pv0badcafe' });
    expect(guestBlockOf('pv0badcafe', scsi)).toEqual({ driver: 'virtio-scsi', pciPath: '19', lun: 7, serial: 'pv0badcafe' });
    // What the hypervisor hands back survives the store.
    for (const place of [blk, scsi]) {
      const block = { id: deviceIdOf('pv0badcafe', place), source: '/dev/loop3', guest: guestBlockOf('pv0badcafe', place) };
      expect(PluggedBlockSchema.parse(JSON.parse(JSON.stringify(block)))).toEqual(block);
    }
  });
});

describe('QMP commands', () => {
  it('adds a qcow2 file and a raw host device as one format node over the right protocol', () => {
    expect(blockdevAddArguments('pv0badcafe-b0s01', { path: '/srv/disk.qcow2', format: 'qcow2', readOnly: false }, false)).toEqual({
      'node-name': 'pv0badcafe-b0s01-drive',
      driver: 'qcow2',
      'read-only': false,
      cache: { direct: false, 'no-flush': false },
      file: { driver: 'file', filename: '/srv/disk.qcow2', 'read-only': false },
    });
    expect(blockdevAddArguments('pv0badcafe-l000', { path: '/dev/loop3', format: 'raw', readOnly: true }, true)).toMatchObject({
      driver: 'raw',
      'read-only': true,
      file: { driver: 'host_device', filename: '/dev/loop3', 'read-only': true },
    });
  });

  it('adds a virtio-blk-pci on its bridge slot, or a scsi-hd at its LUN, with the serial the guest checks', () => {
    expect(deviceAddArguments('pv0badcafe-b0s03', 'pv0badcafe', { driver: 'virtio-blk', bridge: 0, slot: 3 })).toEqual({
      driver: 'virtio-blk-pci',
      bus: 'pci-bridge-0',
      addr: '0x03',
      id: 'pv0badcafe-b0s03',
      drive: nodeNameOf('pv0badcafe-b0s03'),
      serial: 'pv0badcafe',
    });
    expect(deviceAddArguments('pv0badcafe-l002', 'pv0badcafe', { driver: 'virtio-scsi', lun: 2 })).toEqual({
      driver: 'scsi-hd',
      bus: 'scsi0.0',
      channel: 0,
      'scsi-id': 0,
      lun: 2,
      id: 'pv0badcafe-l002',
      drive: 'pv0badcafe-l002-drive',
      serial: 'pv0badcafe',
    });
  });
});
