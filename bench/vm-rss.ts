// Host memory cost of one idle pod VM: QEMU's RSS (with its anon/file split) for a 256 MiB guest,
// sampled after init has launched the agent and the guest has settled. Usage: npx tsx bench/vm-rss.ts
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import pino from 'pino';
import { createQemuHypervisor } from '../server/engine/drivers/hypervisor/qemu/index.js';
import { kataLaunchPlan } from '../server/guest/testing/launch-plan.js';
import type { PodContext } from '../server/engine/drivers/types.js';
import { PodConfigSchema } from '../server/engine/types.js';

const SETTLE_MS = 8_000; // node starting in the guest keeps touching memory for a few seconds
const runRoot = '/tmp/podvisor-bench';

async function rssKiB(pid: number): Promise<Record<string, number>> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const field = (name: string) => Number(/\s(\d+) kB/.exec(status.split('\n').find((l) => l.startsWith(`${name}:`)) ?? '')?.[1] ?? NaN);
  return { VmRSS: field('VmRSS'), RssAnon: field('RssAnon'), RssFile: field('RssFile'), RssShmem: field('RssShmem') };
}

const hypervisor = createQemuHypervisor({ runRoot });
const config = PodConfigSchema.parse({ id: 'rss', hypervisorType: 'qemu', vmConfig: { vcpus: 1, memory: 256 } });
const pod: PodContext = { id: config.id, config, runDir: join(runRoot, config.id), runtime: { hypervisor: {}, agent: {}, network: {} }, log: pino({ level: 'warn' }) };
pod.runtime.hypervisor = (await hypervisor.startVm(pod, kataLaunchPlan(pod.runDir))).state;
try {
  const consoleLog = join(pod.runDir, 'console.log');
  const started = Date.now();
  while (!(await readFile(consoleLog, 'utf8').catch(() => '')).includes('podvisor-init: starting agent')) {
    if (Date.now() - started > 60_000) throw new Error('the guest never launched its agent');
    await new Promise((r) => setTimeout(r, 100));
  }
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const pid = pod.runtime.hypervisor['pid'] as number;
  const rss = await rssKiB(pid);
  const mib = (kib: number | undefined) => `${Math.round((kib ?? NaN) / 1024)} MiB`;
  console.log(
    `idle pod VM, 256 MiB guest RAM, accel ${String(pod.runtime.hypervisor['accelerator'])}: qemu RSS ${mib(rss['VmRSS'])} ` +
      `(anon ${mib(rss['RssAnon'])}, file ${mib(rss['RssFile'])}, shmem ${mib(rss['RssShmem'])})`,
  );
} finally {
  await hypervisor.stopVm(pod);
  await rm(pod.runDir, { recursive: true, force: true });
}
