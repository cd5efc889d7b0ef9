// RunPod to "container running" against the boot floor (the same kernel and initramfs booted bare
// to init's first line), measured alternately in one run so that machine noise hits both.
// Usage: npx tsx bench/runpod.ts [runs]
import { rmSync } from 'node:fs';
import { bareBoot } from './lib/bare-boot.js';
import { benchEngine } from './lib/engine.js';
import { median } from './lib/stats.js';

const runs = Number(process.argv[2] ?? 3);
const { dir, rootfs, vc } = benchEngine('pv-bench-');

async function runPod(i: number): Promise<number> {
  const id = `bench${i}`;
  const started = performance.now();
  await vc.runPod({
    id,
    hypervisorType: 'qemu',
    agentType: 'kata',
    proxyType: 'kataProxy',
    shimType: 'kataShim',
    containers: [{ id: 'c1', rootFs: rootfs, cmd: { args: ['sh', '-c', 'while true; do sleep 1; done'], detach: true } }],
  });
  const elapsed = performance.now() - started;
  await vc.stopPod(id);
  await vc.deletePod(id);
  return elapsed;
}

try {
  await runPod(-1); // warm-up: the KVM probe and page cache
  const floor: number[] = [];
  const pods: number[] = [];
  for (let i = 0; i < runs; i++) {
    floor.push(await bareBoot());
    pods.push(await runPod(i));
  }
  const f = median(floor);
  const p = median(pods);
  console.log(`floor: bare kernel+initramfs to first init line  median ${f.toFixed(0)} ms  (${floor.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`RunPod to container running                     median ${p.toFixed(0)} ms  (${pods.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`ratio RunPod / floor: ${(p / f).toFixed(2)}x  (target <= 1.5x)`);
} finally {
  await vc.close();
  rmSync(dir, { recursive: true, force: true });
}
