// Pod networking against a baseline measured in the same run:
//   1. TCP throughput host → pod (bytes into busybox `nc` in a container) against the same transfer
//      between two host network namespaces over a bare veth pair;
//   2. HTTP request round trip host → pod (busybox httpd) against a node HTTP server across the veth;
//   3. RunPod with the CNI network against the noop network.
//   npx tsx bench/network.ts [--mib 32] [--requests 40]        (boots real pod VMs; as root)
// Every address is inside namespaces made here, or on the podvisor0 bridge.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { testEngine } from '../test/helpers/engine.js';
import { qemuPod, rootfsCopy } from '../test/helpers/vm.js';
import { median } from './lib/stats.js';

const { values } = parseArgs({ options: { mib: { type: 'string', default: '32' }, requests: { type: 'string', default: '40' } } });
const MIB = Number(values.mib);
const REQUESTS = Number(values.requests);
const [NS_A, NS_B] = ['pvbench-a', 'pvbench-b'];
const CLIENT = path.join(import.meta.dirname, 'lib/net-client.mjs');

/** Runs the client (optionally inside a netns) and returns what it prints: one JSON object. */
async function client(netns: string | null, ...args: string[]): Promise<{ ms: number[] }> {
  const argv = [process.execPath, CLIENT, ...args];
  const { stdout } = netns ? await execa('ip', ['netns', 'exec', netns, ...argv]) : await execa(argv[0]!, argv.slice(1));
  return JSON.parse(stdout) as { ms: number[] };
}

async function vethBaseline(): Promise<{ mibPerS: number; rttMs: number }> {
  for (const ns of [NS_A, NS_B]) await execa('ip', ['netns', 'add', ns]);
  try {
    await execa('ip', ['-n', NS_A, 'link', 'add', 'veth0', 'type', 'veth', 'peer', 'name', 'veth0', 'netns', NS_B]);
    for (const [ns, addr] of [[NS_A, '10.211.0.1/24'], [NS_B, '10.211.0.2/24']] as const) {
      await execa('ip', ['-n', ns, 'addr', 'add', addr, 'dev', 'veth0']);
      await execa('ip', ['-n', ns, 'link', 'set', 'veth0', 'up']);
      await execa('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    }
    const server = spawn('ip', ['netns', 'exec', NS_B, process.execPath, CLIENT, 'serve', '10.211.0.2', '5001', '8080'], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((r) => server.stdout.once('data', r)); // "listening"
    try {
      const mibPerS = await push(NS_A, '10.211.0.2');
      const rtt = await client(NS_A, 'get', '10.211.0.2', '8080', String(REQUESTS));
      return { mibPerS, rttMs: median(rtt.ms) };
    } finally {
      server.kill();
    }
  } finally {
    for (const ns of [NS_A, NS_B]) await execa('ip', ['netns', 'del', ns], { reject: false });
  }
}

const rootFs = rootfsCopy();
const t = testEngine({ lockWaitMs: 300_000, hostPathRoots: [path.dirname(rootFs)] });
const forever = ['sh', '-c', 'while true; do sleep 1; done'];
// The receiver answers with the byte count it read (`nc -e wc -c` in the guest): a push counts only
// once every byte arrived, and a short count fails the run instead of flattering it.
const podServer = ['sh', '-c', 'mkdir -p /tmp/www && echo ok > /tmp/www/index.html && httpd -p 8080 -h /tmp/www && while true; do nc -l -p 5001 -e wc -c; done'];

async function push(netns: string | null, addr: string): Promise<number> {
  const { ms, reply } = (await client(netns, 'push', addr, '5001', String(MIB))) as { ms: number[]; reply?: string };
  if (Number(reply) !== MIB * 1024 * 1024) throw new Error(`the receiver at ${addr} counted ${reply} bytes of ${MIB * 1024 * 1024}`);
  return MIB / (ms[0]! / 1000);
}

async function runPodMs(id: string, networkModel: 'noop' | 'CNI', args: string[]): Promise<number> {
  const started = performance.now();
  await t.vc.runPod(qemuPod(id, [{ id: 'c', rootFs, cmd: { args, detach: true } }], { networkModel }));
  return performance.now() - started;
}

try {
  const baseline = await vethBaseline();
  const noopMs = await runPodMs('bench-noop', 'noop', forever);
  await t.vc.stopPod('bench-noop');
  await t.vc.deletePod('bench-noop');
  const cniMs = await runPodMs('bench-cni', 'CNI', podServer);
  const addr = (await t.vc.statusPod('bench-cni')).network!.interfaces[0]!.addresses[0]!.split('/')[0]!;
  await new Promise((r) => setTimeout(r, 1000)); // httpd and nc are up a moment after the init runs
  const podMibPerS = await push(null, addr);
  const rtt = await client(null, 'get', addr, '8080', String(REQUESTS));
  const podRtt = median(rtt.ms);
  const accel = (await t.vc.statusPod('bench-cni')).vm?.accelerator ?? '?';
  console.log(`accelerator ${accel}; ${MIB} MiB pushed, ${REQUESTS} requests`);
  console.log(`TCP host -> pod: ${podMibPerS.toFixed(1)} MiB/s vs veth between two netns ${baseline.mibPerS.toFixed(1)} MiB/s = ${(podMibPerS / baseline.mibPerS).toFixed(3)}x`);
  console.log(`HTTP round trip host -> pod: median ${podRtt.toFixed(2)} ms vs veth ${baseline.rttMs.toFixed(2)} ms = ${(podRtt / baseline.rttMs).toFixed(1)}x`);
  console.log(`RunPod with CNI ${(cniMs / 1000).toFixed(2)} s vs noop network ${(noopMs / 1000).toFixed(2)} s = ${(cniMs / noopMs).toFixed(2)}x`);
} finally {
  for (const id of ['bench-noop', 'bench-cni']) {
    await t.vc.stopPod(id).catch(() => {});
    await t.vc.deletePod(id).catch(() => {});
  }
  await t[Symbol.asyncDispose]();
  rmSync(path.dirname(rootFs), { recursive: true, force: true });
}
