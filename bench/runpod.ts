// RunPod to "container running", cold-booted and cloned from a template (docs/templating.md),
// against the boot floor (the same kernel and initramfs booted bare to init's first line), measured
// alternately in one run so that machine noise hits all three. Usage: npx tsx bench/runpod.ts [runs]
// Cold: templates off, the default pod (virtio-fs), its agent from the V8 snapshot (npm run
// build:snapshot) and, for comparison, from the plain bundle (PODVISOR_AGENT_SNAPSHOT=0). Cloned: the
// same pod over 9p (QEMU 7.2 cannot migrate virtio-fs), its template built during the warm-up.
import { rmSync } from 'node:fs';
import { bareBoot } from './lib/bare-boot.js';
import { benchEngine } from './lib/engine.js';
import { median } from './lib/stats.js';

const runs = Number(process.argv[2] ?? 3);
const cold = benchEngine('pv-bench-cold-', { templates: { enabled: false } });
const cloned = benchEngine('pv-bench-clone-');

async function runPod(engine: typeof cold, i: number, sharedFs: '' | 'virtio-9p', agent: 'snapshot' | 'plain' = 'snapshot'): Promise<{ ms: number; boot: string; agent: string; steps: Map<string, number> }> {
  process.env['PODVISOR_AGENT_SNAPSHOT'] = agent === 'plain' ? '0' : '1';
  const id = `bench${i}`;
  const started = performance.now();
  await engine.vc.runPod({
    id,
    hypervisorType: 'qemu',
    agentType: 'kata',
    proxyType: 'kataProxy',
    shimType: 'kataShim',
    hypervisorConfig: { sharedFs },
    containers: [{ id: 'c1', rootFs: engine.rootfs, cmd: { args: ['sh', '-c', 'while true; do sleep 1; done'], detach: true } }],
  });
  const ms = performance.now() - started;
  const status = (await engine.vc.statusPod(id)).vm?.boot;
  const boot = status?.mode ?? '?';
  // Where RunPod spent its time: the steps its event keeps ("…; steps: VM launched 1.2 s, …").
  // RunPod is recorded as its createPod and startPod events.
  const messages = (await engine.vc.listPodEvents(id)).filter((e) => e.call === 'createPod' || e.call === 'startPod').map((e) => e.message);
  const steps = new Map<string, number>();
  for (const part of messages.flatMap((m) => m.split('; steps: ')[1]?.split(', ') ?? [])) {
    const m = /^(.*) ([\d.]+) s$/.exec(part);
    if (m) steps.set(m[1]!, (steps.get(m[1]!) ?? 0) + Number(m[2]) * 1000);
  }
  await engine.vc.stopPod(id);
  await engine.vc.deletePod(id);
  return { ms, boot, agent: status?.agent ?? '?', steps };
}

/** Median per step over runs, in the order the first run had them. */
function stepMedians(runs: Map<string, number>[]): string {
  return [...(runs[0]?.keys() ?? [])].map((label) => `${label} ${median(runs.map((r) => r.get(label) ?? 0)).toFixed(0)} ms`).join(', ');
}

const line = (label: string, xs: number[]) => `${label.padEnd(46)} median ${median(xs).toFixed(0).padStart(6)} ms  (${xs.map((x) => x.toFixed(0)).join(', ')})`;

try {
  const first = await runPod(cold, -1, ''); // warm-up: the accelerator probe and the page cache
  if (!first.agent.startsWith('V8 snapshot')) console.log(`note: the cold pods' agent: ${first.agent}`);
  const warm = await runPod(cloned, -1, 'virtio-9p'); // builds the template
  if (warm.boot !== 'cloned') throw new Error(`the 9p pod was not cloned (${warm.boot}): see its pod status`);
  const floor: number[] = [];
  const colds: number[] = [];
  const plains: number[] = [];
  const clones: number[] = [];
  const cloneSteps: Map<string, number>[] = [];
  for (let i = 0; i < runs; i++) {
    floor.push(await bareBoot());
    colds.push((await runPod(cold, i, '')).ms);
    plains.push((await runPod(cold, i, '', 'plain')).ms);
    const c = await runPod(cloned, i, 'virtio-9p');
    if (c.boot !== 'cloned') throw new Error(`run ${i}: the pod booted ${c.boot}`);
    clones.push(c.ms);
    cloneSteps.push(c.steps);
  }
  const [f, c, p, k] = [median(floor), median(colds), median(plains), median(clones)];
  console.log(line('floor: bare kernel+initramfs to first init line', floor));
  console.log(line('RunPod cold (templates off, virtio-fs)', colds));
  console.log(line('RunPod cold, plain agent bundle (no snapshot)', plains));
  console.log(line('RunPod cloned from a template (9p)', clones));
  console.log(`RunPod cloned, median per step: ${stepMedians(cloneSteps)}`);
  console.log(`ratio cold / floor: ${(c / f).toFixed(2)}x   cold plain / floor: ${(p / f).toFixed(2)}x   cloned / floor: ${(k / f).toFixed(2)}x   cloned / cold: ${(k / c).toFixed(2)}x`);
} finally {
  for (const { vc, dir } of [cold, cloned]) {
    for (const t of await vc.listTemplates().catch(() => [])) await vc.removeTemplate(t.key).catch(() => {});
    await vc.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
