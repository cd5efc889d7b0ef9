// Block hotplug into a running QEMU over QMP: blockdev-add + device_add of a virtio-blk-pci on a
// bridge slot (or a scsi-hd on the virtio-scsi controller), and device_del, waiting for
// DEVICE_DELETED (the guest must let the disk go first), + blockdev-del. One QMP connection per
// plug or unplug: the event arrives on the connection that asked.
import { randomBytes } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { EngineError } from '../../../errors.js';
import type { Host } from '../../../host/types.js';
import type { BlockSource, PluggedBlock } from '../../devices.js';
import type { PodContext } from '../../types.js';
import type { BlockHotplug } from '../types.js';
import { blockdevAddArguments, deviceAddArguments, deviceIdOf, guestBlockOf, hotplugLayout, nodeNameOf, pickPlacement } from './hotplug-plan.js';
import { isOurQemu } from './process.js';
import { openWhenFree, QmpError, type QmpConnection } from './qmp.js';
import { qemuStateOf } from './state.js';

/** The guest's ACPI eject under TCG on a loaded host takes a few seconds; a hung guest never does. */
const UNPLUG_WAIT_MS = 30_000;
const QMP_OPEN_MS = 10_000;

const failed = (pod: PodContext, what: string, err: unknown) =>
  new EngineError('HYPERVISOR_FAILED', `pod ${pod.id}: ${what}: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err });

export function createQemuBlockHotplug(host: Host): BlockHotplug {
  /** The running VM's QMP socket, or null when no VM of ours runs. */
  const liveQmp = async (pod: PodContext): Promise<string | null> => {
    const vm = qemuStateOf(pod.runtime.hypervisor);
    return vm && (await isOurQemu(vm.pid, vm.qmpSocket, host)) ? vm.qmpSocket : null;
  };
  const withQmp = async <T>(socket: string, fn: (qmp: QmpConnection) => Promise<T>): Promise<T> => {
    const qmp = await openWhenFree(socket, QMP_OPEN_MS);
    try {
      return await fn(qmp);
    } finally {
      qmp.close();
    }
  };

  return {
    async plugBlock(pod, source: BlockSource): Promise<PluggedBlock> {
      const socket = await liveQmp(pod);
      if (!socket) throw new EngineError('HYPERVISOR_FAILED', `pod ${pod.id}: no running VM to plug ${source.path} into`);
      // The layout the VM was launched with: the config cannot change while it runs.
      const { bridges, driver } = hotplugLayout(pod.config.hypervisorConfig);
      const isDevice = (await stat(source.path)).isBlockDevice();
      try {
        return await withQmp(socket, async (qmp) => {
          const children = (await qmp.execute('qom-list', { path: '/machine/peripheral' })) as { name: string }[];
          const place = pickPlacement(driver, bridges, children.map((c) => c.name));
          if (!place) throw new EngineError('HYPERVISOR_FAILED', `pod ${pod.id}: every ${driver === 'virtio-scsi' ? 'SCSI LUN' : 'bridge slot'} is taken (hypervisorConfig.defaultBridges)`);
          const serial = `pv${randomBytes(4).toString('hex')}`;
          const id = deviceIdOf(serial, place);
          await qmp.execute('blockdev-add', blockdevAddArguments(id, source, isDevice));
          try {
            await qmp.execute('device_add', deviceAddArguments(id, serial, place));
          } catch (err) {
            await qmp.execute('blockdev-del', { 'node-name': nodeNameOf(id) }).catch(() => {});
            throw err;
          }
          return { id, source: source.path, guest: guestBlockOf(serial, place) };
        });
      } catch (err) {
        throw err instanceof EngineError ? err : failed(pod, `plugging ${source.path}`, err);
      }
    },

    async unplugBlock(pod, block) {
      const socket = await liveQmp(pod);
      if (!socket) return; // the disk went with the VM
      try {
        await withQmp(socket, async (qmp) => {
          const deleted = new Promise<void>((resolve) => {
            qmp.onEvent = (e) => e.event === 'DEVICE_DELETED' && e.data?.['device'] === block.id && resolve();
          });
          let present = true;
          try {
            await qmp.execute('device_del', { id: block.id });
          } catch (err) {
            if (!(err instanceof QmpError && /not found/i.test(err.message))) throw err;
            present = false; // unplugged already (a retried stop)
          }
          if (present) {
            let timer: NodeJS.Timeout | undefined;
            const timeout = new Promise<never>((_, reject) => {
              timer = setTimeout(() => reject(new Error(`the guest did not release ${block.id} within ${UNPLUG_WAIT_MS / 1000} s`)), UNPLUG_WAIT_MS);
            });
            await Promise.race([deleted, timeout]).finally(() => clearTimeout(timer));
          }
          try {
            await qmp.execute('blockdev-del', { 'node-name': nodeNameOf(block.id) });
          } catch (err) {
            if (!(err instanceof QmpError && /find node|not found/i.test(err.message))) throw err;
          }
        });
      } catch (err) {
        throw failed(pod, `unplugging ${block.id} (${block.source})`, err);
      }
    },
  };
}
