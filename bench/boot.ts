// Boot-time floor for pods: the pod kernel + initramfs booted bare (no devices, the pods' base kernel
// parameters) until /init's first line, then full pod VMs through the qemu driver until the agent serves, with
// and without the agent's V8 snapshot. Usage: npx tsx bench/boot.ts [runs]
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { createQemuHypervisor } from '../server/engine/drivers/hypervisor/qemu/index.js';
import type { PodContext } from '../server/engine/drivers/types.js';
import { kataLaunchPlan } from '../server/guest/testing/launch-plan.js';
import { PodConfigSchema } from '../server/engine/types.js';
import { bareBoot, FIRST_INIT_LINE } from './lib/bare-boot.js';
import { median } from './lib/stats.js';

const runs = Number(process.argv[2] ?? 3);
const runRoot = '/tmp/podvisor-bench';

async function waitForConsole(path: string, marker: string, started: number, timeoutMs = 60_000): Promise<number> {
  while (Date.now() - started < timeoutMs) {
    if ((await readFile(path, 'utf8').catch(() => '')).includes(marker)) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`no "${marker}" in ${path} after ${timeoutMs} ms`);
}

/** ms until QMP answers, until init's first line, until init launches the agent, and until the agent serves. */
async function podBoot(i: number): Promise<[number, number, number, number]> {
  const hypervisor = createQemuHypervisor({ runRoot });
  const config = PodConfigSchema.parse({ id: `bench${i}`, hypervisorType: 'qemu' });
  const pod: PodContext = { id: config.id, config, runDir: join(runRoot, config.id), runtime: { hypervisor: {}, agent: {}, network: {} }, log: pino({ level: 'warn' }) };
  const started = Date.now();
  pod.runtime.hypervisor = (await hypervisor.startVm(pod, kataLaunchPlan(pod.runDir))).state;
  const qmpReady = Date.now() - started;
  try {
    const consoleLog = join(pod.runDir, 'console.log');
    const initLine = await waitForConsole(consoleLog, FIRST_INIT_LINE, started);
    const launched = await waitForConsole(consoleLog, 'podvisor-init: starting agent', started);
    return [qmpReady, initLine, launched, await waitForConsole(consoleLog, 'podvisor-agent: version', started)];
  } finally {
    await hypervisor.stopVm(pod);
    await rm(pod.runDir, { recursive: true, force: true });
  }
}

const bare: number[] = [];
for (let i = 0; i < runs; i++) bare.push(await bareBoot());
console.log(`bare kernel+initramfs to first init line (TCG): median ${median(bare)} ms  runs ${bare.join(', ')}`);

// Alternately with the agent's V8 snapshot (when built: npm run build:snapshot) and without it.
type Marks = [number, number, number, number];
const pods: Record<'snapshot' | 'plain', Marks[]> = { snapshot: [], plain: [] };
for (let i = 0; i < runs; i++) {
  for (const how of ['snapshot', 'plain'] as const) {
    process.env['PODVISOR_AGENT_SNAPSHOT'] = how === 'plain' ? '0' : '1';
    pods[how].push(await podBoot(i));
  }
}
for (const how of ['snapshot', 'plain'] as const) {
  const column = (k: number) => pods[how].map((p) => p[k] as number);
  const agentStart = pods[how].map((p) => p[3] - p[2]);
  console.log(`pod VM via qemu driver (agent ${how}): QMP ready median ${median(column(0))} ms; first init line ${median(column(1))} ms; agent launched ${median(column(2))} ms; agent serving ${median(column(3))} ms (launched to serving ${median(agentStart)} ms: ${agentStart.join(', ')})`);
}
