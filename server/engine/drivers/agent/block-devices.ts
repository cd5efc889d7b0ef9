// A container's devices, host side: block devices (deviceInfos of type b, and a rootfs that is a
// disk image or block device) are plugged into the running VM through the hypervisor's
// BlockHotplug before the container is created in the guest, and unplugged once it is removed.
// What was plugged is kept in the container's agent state, so that a restarted engine unplugs the
// same disks. Character devices and FIFOs need nothing on the host: the guest makes them.
import { stat } from 'node:fs/promises';
import { z } from 'zod';
import type { ContainerDevice, GuestBlock } from '../../../guest/protocol/devices.js';
import { EngineError } from '../../errors.js';
import { blockRootfsOf, imageFormatOf } from '../../storage.js';
import type { ContainerConfig } from '../../types.js';
import { PluggedBlockSchema, type PluggedBlock } from '../devices.js';
import type { BlockHotplug } from '../hypervisor/types.js';
import type { DriverState, PodContext } from '../types.js';

export interface ContainerBlocks {
  /** What the guest makes in the container, in deviceInfos order. */
  devices: ContainerDevice[];
  /** The disk the container's root is on; null: its rootfs is a directory in the pod's share. */
  rootfs: GuestBlock | null;
  /** Every disk plugged for the container: keep it (agent state) to unplug them. */
  plugged: PluggedBlock[];
}

/** The disks a container's agent state says are plugged (a damaged record reads as none). */
export function pluggedBlocksOf(agentState: DriverState): PluggedBlock[] {
  return z.array(PluggedBlockSchema).catch([]).parse(agentState['blocks'] ?? []);
}

function needHotplug(hotplug: BlockHotplug | undefined, field: string): BlockHotplug {
  if (!hotplug) throw new EngineError('NOT_SUPPORTED', `${field}: this pod's hypervisor cannot plug block devices into its VM`, { field });
  return hotplug;
}

/** Plugs what the container needs; on a failure, unplugs what it had plugged and throws. */
export async function plugContainerBlocks(pod: PodContext, c: ContainerConfig, hotplug: BlockHotplug | undefined): Promise<ContainerBlocks> {
  const result: ContainerBlocks = { devices: [], rootfs: null, plugged: [] };
  const plug = async (field: string, path: string, format: 'raw' | 'qcow2', readOnly = false) => {
    const block = await needHotplug(hotplug, field).plugBlock(pod, { path, format, readOnly });
    result.plugged.push(block);
    return block.guest;
  };
  try {
    const rootfs = await blockRootfsOf(c.rootFs);
    if (rootfs) {
      // Checked before anything booted (storage.ts); a stored config from before is held to it too.
      if (pod.config.hypervisorConfig.disableBlockDeviceUse) throw new EngineError('INVALID_CONFIG', `hypervisorConfig.disableBlockDeviceUse: is true, so rootFs "${c.rootFs}" cannot be plugged in`, { field: 'hypervisorConfig.disableBlockDeviceUse' });
      // A read-only rootfs is plugged read-only: QEMU then takes a shared lock, so pods can share the image.
      result.rootfs = await plug('rootFs', c.rootFs, rootfs.format, c.readonlyRootfs);
    }
    for (const [i, d] of c.deviceInfos.entries()) {
      const owner = { containerPath: d.containerPath, fileMode: d.fileMode, uid: d.uid, gid: d.gid };
      if (d.devType === 'b') {
        const format = (await stat(d.hostPath)).isBlockDevice() ? 'raw' : await imageFormatOf(d.hostPath);
        result.devices.push({ type: 'b', block: await plug(`deviceInfos.${i}`, d.hostPath, format), ...owner });
      } else if (d.devType === 'p') result.devices.push({ type: 'p', ...owner });
      else result.devices.push({ type: d.devType, major: d.major, minor: d.minor, ...owner });
    }
  } catch (err) {
    await unplugContainerBlocks(pod, result.plugged, hotplug).catch((e: unknown) => pod.log.warn({ err: e }, 'a disk plugged for a failed container stays plugged'));
    throw err;
  }
  return result;
}

/** Newest first; every disk is tried even when one fails (the first failure is thrown after). */
export async function unplugContainerBlocks(pod: PodContext, plugged: PluggedBlock[], hotplug: BlockHotplug | undefined): Promise<void> {
  if (!plugged.length) return;
  const h = needHotplug(hotplug, 'deviceInfos');
  const results = [];
  for (const block of [...plugged].reverse()) results.push(await h.unplugBlock(pod, block).then(() => null, (err: unknown) => err));
  const failure = results.find((r) => r !== null);
  if (failure) throw failure;
}
