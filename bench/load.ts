// Load: N real pods started at once, then M concurrent API clients (HTTP tRPC with API tokens, as
// scripts and dashboards call the console) listing, statusing and exec'ing for a bounded time.
// Reports completion, errors by code, p50/p95 per call, QEMU RSS per pod, and what was left after
// stop + delete. Loopback only; bounded in count and time.
//   npx tsx bench/load.ts [--pods 20] [--clients 50] [--seconds 60] [--memory 128]
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { testConsole } from '../test/helpers/console.js';

const { values } = parseArgs({
  options: {
    pods: { type: 'string', default: '20' },
    clients: { type: 'string', default: '50' },
    seconds: { type: 'string', default: '60' },
    memory: { type: 'string', default: '128' },
  },
});
const PODS = Number(values.pods);
const CLIENTS = Number(values.clients);
const SECONDS = Number(values.seconds);
const MEMORY_MIB = Number(values.memory);
const ROOTFS = new URL('../var/rootfs/busybox', import.meta.url).pathname;

const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))] ?? NaN;

/** QEMU processes whose command line names this run root, with their RSS in MiB. */
function qemuUnder(runRoot: string): { pid: number; rssMib: number }[] {
  const found: { pid: number; rssMib: number }[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.startsWith('qemu-system') && !cmd.includes('/qemu-system')) continue;
      if (!cmd.includes(runRoot)) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      found.push({ pid: Number(pid), rssMib: rss ? Number(rss[1]) / 1024 : NaN });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

// The engine's own lock timings (engine.ts, pod-lock.ts), not the tests' short ones: under this load a
// call waits its turn on a pod for minutes, and a starved event loop refreshes its lock late.
await using c = await testConsole({ locks: { lockWaitMs: 180_000, lockStaleMs: 20_000 } });
const runRoot = path.join(c.t.dir, 'run');
const operator = await c.auth.users.get('operator');
const { token } = await c.auth.tokens.create(operator.id, { name: 'load', role: 'operator' });
const opts = { bearer: token };

// 1. N pods at once.
const podIds = Array.from({ length: PODS }, (_, i) => `load${i}`);
const startedAt = performance.now();
const runs = await Promise.all(
  podIds.map(async (id) => {
    const t0 = performance.now();
    const r = await c.mutate(
      'pod.run',
      {
        id,
        hypervisorType: 'qemu',
        agentType: 'kata',
        proxyType: 'kataProxy',
        shimType: 'kataShim',
        vmConfig: { vcpus: 1, memory: MEMORY_MIB },
        containers: [{ id: 'c1', rootFs: ROOTFS, cmd: { args: ['sh', '-c', 'while true; do sleep 1; done'], detach: true } }],
      },
      opts,
    );
    return { id, ms: performance.now() - t0, status: r.status, code: r.code ?? null, message: r.message ?? '' };
  }),
);
const running = runs.filter((r) => r.status === 200).map((r) => r.id);
console.log(`pods: ${running.length}/${PODS} running, all started in ${((performance.now() - startedAt) / 1000).toFixed(1)} s; RunPod p50 ${(quantile(runs.map((r) => r.ms), 0.5) / 1000).toFixed(1)} s, p95 ${(quantile(runs.map((r) => r.ms), 0.95) / 1000).toFixed(1)} s`);
for (const r of runs.filter((x) => x.status !== 200)) console.log(`  ${r.id}: ${r.code} ${r.message.slice(0, 160)}`);
const rss = qemuUnder(runRoot).map((q) => q.rssMib);
if (rss.length) console.log(`QEMU RSS per pod: median ${quantile(rss, 0.5).toFixed(0)} MiB, max ${Math.max(...rss).toFixed(0)} MiB (${rss.length} QEMU processes)`);

// 2. M clients for SECONDS, each looping over list / status / exec.
const latencies: Record<string, number[]> = { 'pod.list': [], 'pod.status': [], 'container.enter': [] };
const errors = new Map<string, number>();
const deadline = Date.now() + SECONDS * 1000;
async function client(n: number) {
  for (let i = n; Date.now() < deadline; i++) {
    const pod = running[i % Math.max(1, running.length)];
    const call = (['pod.list', 'pod.status', 'container.enter'] as const)[i % 3]!;
    if (!pod && call !== 'pod.list') continue;
    const t0 = performance.now();
    const r =
      call === 'pod.list'
        ? await c.query(call, undefined, opts)
        : call === 'pod.status'
          ? await c.query(call, { podId: pod }, opts)
          : await c.mutate(call, { podId: pod, containerId: 'c1', cmd: { args: ['true'] } }, opts);
    latencies[call]!.push(performance.now() - t0);
    if (r.status !== 200) errors.set(`${call} ${r.code ?? r.status}`, (errors.get(`${call} ${r.code ?? r.status}`) ?? 0) + 1);
  }
}
await Promise.all(Array.from({ length: CLIENTS }, (_, n) => client(n)));
for (const [call, xs] of Object.entries(latencies)) {
  console.log(`${call.padEnd(16)} n=${String(xs.length).padStart(5)}  p50 ${quantile(xs, 0.5).toFixed(0).padStart(6)} ms  p95 ${quantile(xs, 0.95).toFixed(0).padStart(6)} ms`);
}
console.log(`errors by code: ${errors.size ? [...errors].map(([k, v]) => `${k} ×${v}`).join(', ') : 'none'}`);

// 3. Stop and delete everything; count what is left.
const teardown = await Promise.all(
  podIds.map(async (id) => {
    await c.mutate('pod.stop', { podId: id }, opts);
    return c.mutate('pod.delete', { podId: id }, opts);
  }),
);
const left = (await c.query('pod.list', undefined, opts)).data as unknown[];
const runDirsLeft = existsSync(runRoot) ? readdirSync(runRoot, { withFileTypes: true }).filter((d) => d.isDirectory()).length : 0;
console.log(`after stop + delete: ${teardown.filter((r) => r.status === 200).length}/${PODS} deleted, ${left.length} records, ${qemuUnder(runRoot).length} QEMU processes, ${runDirsLeft} run dirs left`);
