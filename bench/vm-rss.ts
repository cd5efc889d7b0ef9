// Host memory of idle pods: 5 cloned from one template against 5 cold-booted, as PSS (shared pages
// count once across the processes sharing them) summed over each pod's QEMU, plus its RSS, sampled
// once every pod's agent is up and the guests have settled. Same pod config for both (1 vCPU,
// 256 MiB, 9p, no container); the template build happens before the clones and is not counted, its
// QEMU has exited by then. Usage: npx tsx bench/vm-rss.ts [pods]
import { readFile, rm } from 'node:fs/promises';
import { benchEngine } from './lib/engine.js';

const PODS = Number(process.argv[2] ?? 5);
const SETTLE_MS = 8_000; // node in a cold guest keeps touching memory for a few seconds after serving

async function rollup(pid: number): Promise<{ pss: number; rss: number }> {
  const text = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8');
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
  return { pss: kib('Pss'), rss: kib('Rss') };
}

async function measure(label: string, templates: boolean): Promise<number> {
  const engine = benchEngine('pv-bench-rss-', { templates: { enabled: templates } });
  const ids = Array.from({ length: PODS }, (_, i) => `rss${i}`);
  try {
    for (const id of ids) {
      await engine.vc.runPod({ id, hypervisorType: 'qemu', agentType: 'kata', proxyType: 'kataProxy', shimType: 'kataShim', vmConfig: { vcpus: 1, memory: 256 }, hypervisorConfig: { sharedFs: 'virtio-9p' } });
      const boot = (await engine.vc.statusPod(id)).vm?.boot?.mode;
      if (boot !== (templates ? 'cloned' : 'cold')) throw new Error(`${label}: pod ${id} booted ${boot}`);
    }
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    let pss = 0;
    let rss = 0;
    for (const id of ids) {
      const m = await rollup((await engine.vc.statusPod(id)).vm!.pid);
      pss += m.pss;
      rss += m.rss;
    }
    const mib = (kib: number) => `${(kib / 1024).toFixed(0)} MiB`;
    // The template's RAM file pages that no clone maps are not in any PSS, yet they take host memory.
    const templateKiB = (await engine.vc.listTemplates()).reduce((sum, t) => sum + t.sizeBytes / 1024, 0);
    const extra = templates ? ` + template files ${mib(templateKiB)} = ${mib(pss + templateKiB)}` : '';
    console.log(`${label.padEnd(24)} QEMU PSS total ${mib(pss).padStart(8)} (${mib(pss / PODS)} per pod)${extra}   RSS total ${mib(rss)} (${mib(rss / PODS)} per pod)`);
    return pss + templateKiB;
  } finally {
    for (const id of ids) {
      await engine.vc.stopPod(id).catch(() => {});
      await engine.vc.deletePod(id).catch(() => {});
    }
    for (const t of await engine.vc.listTemplates().catch(() => [])) await engine.vc.removeTemplate(t.key).catch(() => {});
    await engine.vc.close();
    await rm(engine.dir, { recursive: true, force: true });
  }
}

const cold = await measure(`${PODS} cold-booted pods`, false);
const cloned = await measure(`${PODS} cloned pods`, true);
console.log(`ratio host memory cloned (PSS + template files) / cold (PSS): ${(cloned / cold).toFixed(2)}x`);
