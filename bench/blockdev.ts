// What a hotplugged disk costs a container, in one run per block driver (virtio-scsi, the default,
// and virtio-blk on a bridge): create + start and stop + delete of a container with one 16 MiB disk
// against the same container without one (the baseline), and a container whose rootfs is an ext4
// image against the same rootfs shared as a directory. Medians over the rounds, as ratios.
// Usage: npx tsx bench/blockdev.ts [rounds]      (boots real pod VMs: needs the guest assets)
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ContainerConfigInput } from '../server/engine/index.js';
import { benchEngine } from './lib/engine.js';
import { median } from './lib/stats.js';

const rounds = Number(process.argv[2] ?? 3);
const { dir, rootfs, vc } = benchEngine('pv-bench-blk-');
const disk = path.join(dir, 'disk.img');
writeFileSync(disk, Buffer.alloc(16 * 1024 * 1024));
const image = path.join(dir, 'root.img');
execFileSync('mkfs.ext4', ['-q', '-F', '-E', 'root_owner=0:0', '-d', rootfs, image, '32M']);
const forever = ['sh', '-c', 'while true; do sleep 1; done'];

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return performance.now() - start;
}

/** create + start, then stop + delete, of one container: milliseconds of each. */
async function cycle(pod: string, c: ContainerConfigInput): Promise<{ up: number; down: number }> {
  const up = await timed(async () => {
    await vc.createContainer(pod, c);
    await vc.startContainer(pod, c.id);
  });
  const down = await timed(async () => {
    await vc.stopContainer(pod, c.id);
    await vc.deleteContainer(pod, c.id);
  });
  return { up, down };
}

const fmt = (ms: number) => `${Math.round(ms)} ms`;
const cases: Record<string, (i: number) => ContainerConfigInput> = {
  'no disk (baseline)': (i) => ({ id: `base${i}`, rootFs: rootfs, cmd: { args: forever, detach: true } }),
  'one 16 MiB disk': (i) => ({ id: `disk${i}`, rootFs: rootfs, cmd: { args: forever, detach: true }, deviceInfos: [{ devType: 'b', hostPath: disk, containerPath: '/dev/data' }] }),
  'ext4 image rootfs': (i) => ({ id: `img${i}`, rootFs: image, cmd: { args: forever, detach: true } }),
};

try {
  for (const driver of ['virtio-scsi', 'virtio-blk'] as const) {
    const pod = `blk-${driver.replace('virtio-', '')}`;
    await vc.runPod({ id: pod, hypervisorType: 'qemu', agentType: 'kata', proxyType: 'kataProxy', shimType: 'kataShim', hypervisorConfig: { blockDeviceDriver: driver } });
    const results: Record<string, { up: number[]; down: number[] }> = {};
    for (let r = 0; r < rounds; r++) {
      for (const [name, make] of Object.entries(cases)) {
        const { up, down } = await cycle(pod, make(r));
        (results[name] ??= { up: [], down: [] }).up.push(up);
        results[name].down.push(down);
      }
    }
    await vc.stopPod(pod);
    await vc.deletePod(pod);
    const base = results['no disk (baseline)']!;
    console.log(`${driver} (${rounds} rounds, medians):`);
    for (const [name, { up, down }] of Object.entries(results)) {
      console.log(`  ${name.padEnd(20)} create+start ${fmt(median(up)).padStart(8)} (${(median(up) / median(base.up)).toFixed(2)}x)   stop+delete ${fmt(median(down)).padStart(8)} (${(median(down) / median(base.down)).toFixed(2)}x)`);
    }
  }
} finally {
  await vc.close();
  rmSync(dir, { recursive: true, force: true });
}
