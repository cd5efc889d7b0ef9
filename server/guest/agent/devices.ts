// A container's devices in the guest. A plugged disk is found where the host put it on the PCI
// tree (a bridge slot, or a LUN on the SCSI controller), its serial checked; the guest kernel's own
// name and numbers for it are what the container's node gets (the host's major/minor mean nothing
// here, as upstream's agent rewrites them). A character device must be one this kernel has; a FIFO
// is always possible. crun makes the nodes from the OCI config (linux.devices).
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ContainerDevice, GuestBlock } from '../protocol/devices.js';
import { ProtocolError } from '../protocol/messages.js';
import { isMountPoint } from './mountinfo.js';
import { runChecked } from './runtime.js';

export interface FoundBlock {
  /** The kernel's name: vdb, sda… */
  name: string;
  major: number;
  minor: number;
}

export interface OciDevice {
  path: string;
  type: 'b' | 'c' | 'u' | 'p';
  major: number;
  minor: number;
  fileMode: number;
  uid: number;
  gid: number;
}

/** The one entry of `dir` matching `pattern`, or null (not there yet). */
async function child(dir: string, pattern: RegExp): Promise<string | null> {
  const names = await readdir(dir).catch(() => [] as string[]);
  const name = names.find((n) => pattern.test(n));
  return name ? join(dir, name) : null;
}

/** The PCI function at `pciPath` ("1f/03": slot 3 behind the bridge at root slot 0x1f), by sysfs topology. */
async function pciDir(sysfs: string, pciPath: string): Promise<string | null> {
  let dir: string | null = join(sysfs, 'devices', 'pci0000:00');
  for (const slot of pciPath.split('/')) {
    dir = await child(dir, new RegExp(`^[0-9a-f]{4}:[0-9a-f]{2}:${slot}\\.0$`));
    if (!dir) return null;
  }
  return dir;
}

async function blockName(sysfs: string, block: GuestBlock): Promise<string | null> {
  const fn = await pciDir(sysfs, block.pciPath);
  const virtio = fn && (await child(fn, /^virtio\d+$/));
  if (!virtio) return null;
  if (block.driver === 'virtio-blk') {
    const dir = await child(join(virtio, 'block'), /^[a-z]+$/);
    return dir && dir.slice(dir.lastIndexOf('/') + 1);
  }
  const host = await child(virtio, /^host\d+$/);
  const target = host && (await child(host, /^target\d+:0:0$/));
  const lun = target && (await child(target, new RegExp(`^\\d+:0:0:${block.lun}$`)));
  const dir = lun && (await child(join(lun, 'block'), /^[a-z]+$/));
  return dir ? dir.slice(dir.lastIndexOf('/') + 1) : null;
}

/**
 * Drivers guest/init leaves out of every boot (guest/modules, "lazy"), loaded here at their first
 * use, once (a failure is tried again by the next use). SCSI disks need virtio_scsi and sd_mod,
 * although every default VM has the controller (most pods plug no disk; ~0.08 s of each cold boot
 * under TCG); the controller's driver then scans its bus and finds the disks plugged before. A
 * disk-image rootfs is most often ext4, which the guest's own erofs root does not need (~2.5 MB of
 * modules with jbd2, mbcache and crc16); `mount` then detects the filesystem among those loaded.
 */
const LAZY_DRIVERS = { scsi: ['virtio_scsi', 'sd_mod'], diskFilesystems: ['ext4'] } as const;
const lazyLoads = new Map<keyof typeof LAZY_DRIVERS, Promise<unknown>>();
function loadLazyDrivers(modprobe: string, which: keyof typeof LAZY_DRIVERS): Promise<unknown> {
  let loading = lazyLoads.get(which);
  if (!loading) {
    loading = runChecked(modprobe, ['-a', ...LAZY_DRIVERS[which]]).catch((err: unknown) => {
      lazyLoads.delete(which);
      throw err;
    });
    lazyLoads.set(which, loading);
  }
  return loading;
}

/** Waits for the disk to show up (the hotplug is asynchronous in the guest), then checks it is the one plugged. */
export async function findBlock(block: GuestBlock, options: { sysfs?: string; timeoutMs?: number; modprobe?: string } = {}): Promise<FoundBlock> {
  const sysfs = options.sysfs ?? '/sys';
  if (block.driver === 'virtio-scsi' && options.modprobe) await loadLazyDrivers(options.modprobe, 'scsi');
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  for (;;) {
    const name = await blockName(sysfs, block);
    const dev = name && (await readFile(join(sysfs, 'block', name, 'dev'), 'utf8').catch(() => null));
    if (name && dev) {
      // virtio-blk shows its serial; SCSI's is in the VPD page, and the LUN already names it.
      if (block.driver === 'virtio-blk') {
        const serial = (await readFile(join(sysfs, 'block', name, 'serial'), 'utf8').catch(() => '')).trim();
        if (serial !== block.serial) throw new ProtocolError('INVALID_ARGUMENT', `the disk at PCI ${block.pciPath} is ${name} with serial "${serial}", not "${block.serial}"`);
      }
      const [major, minor] = dev.trim().split(':').map(Number) as [number, number];
      return { name, major, minor };
    }
    if (Date.now() > deadline) throw new ProtocolError('TIMEOUT', `no disk appeared at PCI ${block.pciPath}${block.lun !== null ? ` LUN ${block.lun}` : ''} (serial ${block.serial})`);
    await sleep(100);
  }
}

/** The OCI linux.devices of a container; `deviceInfos.N` in a refusal is the host config's index. */
export async function ociDevices(devices: ContainerDevice[], sysfs = '/sys', modprobe?: string): Promise<OciDevice[]> {
  const out: OciDevice[] = [];
  for (const [i, d] of devices.entries()) {
    const owner = { path: d.containerPath, fileMode: d.fileMode, uid: d.uid, gid: d.gid };
    if (d.type === 'b') {
      const found = await findBlock(d.block, { sysfs, ...(modprobe ? { modprobe } : {}) });
      out.push({ ...owner, type: 'b', major: found.major, minor: found.minor });
    } else if (d.type === 'p') out.push({ ...owner, type: 'p', major: 0, minor: 0 });
    else {
      if (!existsSync(join(sysfs, 'dev', 'char', `${d.major}:${d.minor}`))) {
        throw new ProtocolError('NOT_SUPPORTED', `deviceInfos.${i}: the VM's kernel has no character device ${d.major}:${d.minor}, so ${d.containerPath} cannot be made`);
      }
      out.push({ ...owner, type: d.type, major: d.major, minor: d.minor });
    }
  }
  return out;
}

/** Mounts the container's rootfs disk at `target` (the filesystem as the kernel detects it); read-only as the host plugged it. */
export async function mountBlockRootfs(block: GuestBlock, target: string, readOnly: boolean, modprobe?: string): Promise<void> {
  const found = await findBlock(block, modprobe ? { modprobe } : {});
  if (modprobe) await loadLazyDrivers(modprobe, 'diskFilesystems');
  await mkdir(target, { recursive: true });
  await runChecked('mount', [...(readOnly ? ['-o', 'ro'] : []), join('/dev', found.name), target]);
}

/** Idempotent; rmdir only, never through a mount. */
export async function unmountBlockRootfs(target: string): Promise<void> {
  while (await isMountPoint(target)) await runChecked('umount', [target]);
  await rmdir(target).catch(() => {});
}
