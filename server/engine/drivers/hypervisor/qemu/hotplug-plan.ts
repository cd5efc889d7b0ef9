// Pure parts of block hotplug: where the bridges and the SCSI controller sit, their argv, which
// slot a new disk takes, and the QMP commands that plug and unplug it. No I/O, so unit tests pin
// them; hotplug.ts runs them against QEMU.
import type { HypervisorConfig } from '../../../types.js';
import type { BlockSource, GuestBlock, VmDevice } from '../../devices.js';

type Bridge = Extract<VmDevice, { kind: 'pciBridge' }>;
export type HotplugDevice = Extract<VmDevice, { kind: 'pciBridge' | 'scsiController' }>;

/**
 * Fixed root-bus slots, from the top down, so that they never meet the slots QEMU picks itself for
 * devices without an address (from the bottom up): bridges at 0x1e, 0x1d…, the SCSI controller
 * below. Not 0x1f: q35 has its ICH9 functions there.
 */
export const BRIDGE_SLOTS = [0x1e, 0x1d, 0x1c, 0x1b, 0x1a] as const;
export const SCSI_SLOT = 0x19;
export const SCSI_ID = 'scsi0';
/** Slot 0 of a bridge is left alone, as Kata does; 31 usable slots would be 1..31. */
export const BRIDGE_FIRST_SLOT = 1;
export const BRIDGE_LAST_SLOT = 31;
export const MAX_LUN = 255;

export const bridgeId = (index: number) => `pci-bridge-${index}`;
const hex2 = (n: number) => n.toString(16).padStart(2, '0');

/** What the config's 0 and '' mean, as upstream's defaults: one bridge, virtio-scsi. */
export function hotplugLayout(config: Pick<HypervisorConfig, 'defaultBridges' | 'blockDeviceDriver'>): { bridges: number; driver: 'virtio-blk' | 'virtio-scsi' } {
  return { bridges: Math.max(1, Math.min(config.defaultBridges, BRIDGE_SLOTS.length)), driver: config.blockDeviceDriver || 'virtio-scsi' };
}

/** The devices the VM needs for hotplug: its bridges, and the SCSI controller for virtio-scsi. */
export function hotplugDevices(config: Pick<HypervisorConfig, 'defaultBridges' | 'blockDeviceDriver'>): HotplugDevice[] {
  const { bridges, driver } = hotplugLayout(config);
  return [
    ...Array.from({ length: bridges }, (_, index): Bridge => ({ kind: 'pciBridge', index })),
    ...(driver === 'virtio-scsi' ? [{ kind: 'scsiController' as const }] : []),
  ];
}

/** The root bus bridges and the controller sit on: q35's is PCI Express. */
export const rootBusOf = (machineType: string) => (machineType === 'q35' ? 'pcie.0' : 'pci.0');

export function bridgeArgs(bridge: Bridge, rootBus: string): string[] {
  // shpc=off: hotplug goes through ACPI, which the guest kernel handles without the SHPC driver.
  // chassis_nr must differ per bridge. The reserves make the firmware give an empty bridge I/O and
  // memory windows at boot (as Kata does): without them a disk plugged later gets no BARs.
  const id = bridgeId(bridge.index);
  return ['-device', `pci-bridge,bus=${rootBus},id=${id},chassis_nr=${bridge.index + 1},shpc=off,addr=0x${hex2(BRIDGE_SLOTS[bridge.index]!)},io-reserve=4k,mem-reserve=1m,pref64-reserve=1m`];
}

export function scsiControllerArgs(rootBus: string): string[] {
  return ['-device', `virtio-scsi-pci,id=${SCSI_ID},bus=${rootBus},addr=0x${hex2(SCSI_SLOT)}`];
}

/** Where a new disk goes. */
export type Placement = { driver: 'virtio-blk'; bridge: number; slot: number } | { driver: 'virtio-scsi'; lun: number };

/**
 * Device ids carry their placement (`pv1a2b3c4d-b0s03`, `pv1a2b3c4d-l007`), so that the devices
 * QEMU lists under /machine/peripheral say which slots are taken: no counter to keep anywhere.
 */
export function deviceIdOf(serial: string, place: Placement): string {
  return place.driver === 'virtio-blk' ? `${serial}-b${place.bridge}s${hex2(place.slot)}` : `${serial}-l${place.lun.toString().padStart(3, '0')}`;
}

const PLACED = /^pv[0-9a-f]{8}-(?:b(\d)s([0-9a-f]{2})|l(\d{3}))$/;

/** The first free slot on the bridges (virtio-blk) or LUN on the controller (virtio-scsi), given the ids QEMU has. */
export function pickPlacement(driver: 'virtio-blk' | 'virtio-scsi', bridges: number, deviceIds: string[]): Placement | null {
  const taken = new Set<string>();
  for (const id of deviceIds) {
    const m = PLACED.exec(id);
    if (!m) continue;
    taken.add(m[3] !== undefined ? `l${Number(m[3])}` : `b${m[1]}s${parseInt(m[2]!, 16)}`);
  }
  if (driver === 'virtio-scsi') {
    for (let lun = 0; lun <= MAX_LUN; lun++) if (!taken.has(`l${lun}`)) return { driver, lun };
    return null;
  }
  for (let bridge = 0; bridge < bridges; bridge++) {
    for (let slot = BRIDGE_FIRST_SLOT; slot <= BRIDGE_LAST_SLOT; slot++) if (!taken.has(`b${bridge}s${slot}`)) return { driver, bridge, slot };
  }
  return null;
}

export function guestBlockOf(serial: string, place: Placement): GuestBlock {
  if (place.driver === 'virtio-scsi') return { driver: place.driver, pciPath: hex2(SCSI_SLOT), lun: place.lun, serial };
  return { driver: place.driver, pciPath: `${hex2(BRIDGE_SLOTS[place.bridge]!)}/${hex2(place.slot)}`, lun: null, serial };
}

export const nodeNameOf = (deviceId: string) => `${deviceId}-drive`;

/** `blockdev-add`: the format node over a file or host_device protocol node, one command. */
export function blockdevAddArguments(deviceId: string, source: BlockSource, isDevice: boolean): Record<string, unknown> {
  return {
    'node-name': nodeNameOf(deviceId),
    driver: source.format,
    'read-only': source.readOnly,
    // No page cache sharing between pods' disks and the host: writes reach the file or device.
    cache: { direct: false, 'no-flush': false },
    file: { driver: isDevice ? 'host_device' : 'file', filename: source.path, 'read-only': source.readOnly },
  };
}

/** `device_add` of the disk at its placement; the serial lets the guest check it found the right one. */
export function deviceAddArguments(deviceId: string, serial: string, place: Placement): Record<string, unknown> {
  const common = { id: deviceId, drive: nodeNameOf(deviceId), serial };
  if (place.driver === 'virtio-scsi') return { driver: 'scsi-hd', bus: `${SCSI_ID}.0`, channel: 0, 'scsi-id': 0, lun: place.lun, ...common };
  return { driver: 'virtio-blk-pci', bus: bridgeId(place.bridge), addr: `0x${hex2(place.slot)}`, ...common };
}
