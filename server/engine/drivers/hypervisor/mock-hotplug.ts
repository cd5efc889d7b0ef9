// The mock hypervisor's block hotplug: no VM, but the same placement rules as QEMU's (hotplug-plan.ts)
// and a file in the run dir listing what is plugged, so that logic tests can see a disk left
// plugged, or unplugged twice, without booting anything.
import { randomBytes } from 'node:crypto';
import { access, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { EngineError } from '../../errors.js';
import { PluggedBlockSchema, type PluggedBlock } from '../devices.js';
import type { PodContext } from '../types.js';
import { deviceIdOf, guestBlockOf, hotplugLayout, pickPlacement } from './qemu/hotplug-plan.js';
import type { BlockHotplug } from './types.js';

export const mockBlocksFile = (runDir: string) => join(runDir, 'mock-blocks.json');

export async function mockPluggedBlocks(runDir: string): Promise<PluggedBlock[]> {
  const text = await readFile(mockBlocksFile(runDir), 'utf8').catch(() => '[]');
  return z.array(PluggedBlockSchema).parse(JSON.parse(text));
}

async function save(runDir: string, blocks: PluggedBlock[]): Promise<void> {
  if (blocks.length) await writeFile(mockBlocksFile(runDir), JSON.stringify(blocks));
  else await rm(mockBlocksFile(runDir), { force: true });
}

/** `vmFile`: the mock VM's file (mock.ts). */
export function createMockBlockHotplug(vmFile: (pod: PodContext) => string): BlockHotplug {
  return {
    async plugBlock(pod, source) {
      if (!(await access(vmFile(pod)).then(() => true, () => false))) throw new EngineError('HYPERVISOR_FAILED', `pod ${pod.id}: no running VM to plug ${source.path} into`);
      await access(source.path).catch((err: NodeJS.ErrnoException) => {
        throw new EngineError('HYPERVISOR_FAILED', `pod ${pod.id}: plugging ${source.path}: ${err.code}`);
      });
      const { bridges, driver } = hotplugLayout(pod.config.hypervisorConfig);
      const blocks = await mockPluggedBlocks(pod.runDir);
      const place = pickPlacement(driver, bridges, blocks.map((b) => b.id));
      if (!place) throw new EngineError('HYPERVISOR_FAILED', `pod ${pod.id}: every slot is taken (hypervisorConfig.defaultBridges)`);
      const serial = `pv${randomBytes(4).toString('hex')}`;
      const block = { id: deviceIdOf(serial, place), source: source.path, guest: guestBlockOf(serial, place) };
      await save(pod.runDir, [...blocks, block]);
      return block;
    },
    async unplugBlock(pod, block) {
      const blocks = await mockPluggedBlocks(pod.runDir);
      await save(pod.runDir, blocks.filter((b) => b.id !== block.id));
    },
  };
}
