// EnterContainer `true` round trip for each agent × proxy combination, measured from the host in
// the same run, against the same exec timed inside the guest by the runtime alone (crun exec,
// spawn to exit, as the agent reports in WaitProcess): the in-guest floor. hyperstart has no
// WaitProcess to report it, so its rows are set against the kata VMs' floor (same image, same
// crun).
//   npx tsx bench/exec.ts [--iterations 10]      (boots one real pod VM per combination)
import { parseArgs } from 'node:util';
import { median } from './lib/stats.js';
import { hyperCommand } from '../server/engine/drivers/agent/hyperstart-direct-channel.js';
import { CcClient } from '../server/engine/drivers/proxy/cc/client.js';
import { HYPERSTART_CODES } from '../server/guest/protocol/hyperstart/codes.js';
import { proxyHandleOf, socketPathOf } from '../server/engine/drivers/proxy/types.js';
import { CmdSchema } from '../server/engine/types.js';
import { connectAgentSocketWhenFree } from '../server/guest/protocol/connect.js';
import { bootVmPod } from '../server/guest/testing/vm-pod.js';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '10' } } });
const iterations = Number(values.iterations);
/** The combinations with a guest agent. */
const COMBINATIONS = [
  { agent: 'kata', proxy: 'kataProxy' },
  { agent: 'kata', proxy: 'noProxy' },
  { agent: 'hyperstart', proxy: 'ccProxy' },
  { agent: 'hyperstart', proxy: 'noProxy' },
] as const;

function summary(label: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
  return `${label.padEnd(58)} median ${at(0.5).padStart(7)} ms   p90 ${at(0.9).padStart(7)} ms   min ${at(0).padStart(7)} ms`;
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const result = await fn();
  return [performance.now() - start, result];
}

const results: { label: string; enter: number[]; ping: number[]; guest: number[] }[] = [];
type Vm = Awaited<ReturnType<typeof bootVmPod>>;
/** What EnterContainer costs the engine: exec, a shim, then waiting for the exit. */
async function enterOnce(vm: Vm, c: Awaited<ReturnType<Vm['container']>>, cmd: ReturnType<typeof CmdSchema.parse>) {
  const process = await vm.agent.exec(vm.pod, c, cmd);
  const io = await vm.agent.attach(vm.pod, c, process.token);
  await io.wait();
  io.close();
}
/** hyperstart: enter as for kata; the bare request is a PING, through the ccProxy or on the control socket. */
async function hyperstartRow(vm: Vm, label: string) {
  const c = await vm.container('bench', { args: ['sleep', '3600'], detach: true });
  c.agentState = (await vm.agent.startContainer(vm.pod, c)).agentState;
  const handle = proxyHandleOf(vm.pod.runtime.agent)!;
  const path = socketPathOf(handle.url);
  const ping = handle.direct
    ? async () => void (await hyperCommand(path, HYPERSTART_CODES.PING, null))
    : async () => {
        const client = await CcClient.connect(path);
        await client.command('Hyper', { containerId: vm.pod.id, hyperName: 'ping', tokens: [], data: null }).finally(() => client.close());
      };
  const cmd = CmdSchema.parse({ args: ['true'], detach: true });
  const r = { label, enter: [] as number[], ping: [] as number[], guest: [] as number[] };
  for (let i = 0; i <= iterations; i++) {
    const [enter] = await timed(() => enterOnce(vm, c, cmd));
    const [pinged] = await timed(ping);
    if (i === 0) continue; // warm-up
    r.enter.push(enter);
    r.ping.push(pinged);
  }
  await vm.agent.stopContainer(vm.pod, c);
  return r;
}

for (const { agent, proxy } of COMBINATIONS) {
  const bootStart = performance.now();
  const vm = await bootVmPod(`bench-${agent.slice(0, 4)}-${proxy.toLowerCase()}`, 'silent', proxy, agent);
  console.log(`${agent} + ${proxy}: pod VM booted and sandbox created in ${((performance.now() - bootStart) / 1000).toFixed(1)} s (${vm.hypervisor.info(vm.pod)?.accelerator ?? '?'})`);
  try {
    if (agent === 'hyperstart') {
      results.push(await hyperstartRow(vm, `${agent} + ${proxy}`));
      continue;
    }
    const c = await vm.container('bench', { args: ['sleep', '3600'], detach: true });
    c.agentState = (await vm.agent.startContainer(vm.pod, c)).agentState;
    const path = socketPathOf(proxyHandleOf(vm.pod.runtime.agent)!.url);
    // A connection per measurement: with noProxy nobody else could reach the agent while one is open.
    const withClient = async <T>(fn: (client: Awaited<ReturnType<typeof connectAgentSocketWhenFree>>) => Promise<T>) => {
      const client = await connectAgentSocketWhenFree(path, { waitMs: 30_000, handshakeTimeoutMs: 30_000 });
      try {
        return await fn(client);
      } finally {
        client.close();
      }
    };
    const cmd = CmdSchema.parse({ args: ['true'], detach: true });
    const r = { label: `${agent} + ${proxy}`, enter: [] as number[], ping: [] as number[], guest: [] as number[] };
    for (let i = 0; i <= iterations; i++) {
      // 1. What EnterContainer costs the engine: ExecProcess, a shim, then waiting for the exit.
      const [enter] = await timed(() => enterOnce(vm, c, cmd));
      // 2. The floor: the same `true` timed by the runtime inside the guest.
      const execId = `bench-${i}`;
      const waited = await withClient(async (client) => {
        await client.call('ExecProcess', { containerId: 'bench', execId, process: { args: ['true'] } });
        return client.call('WaitProcess', { containerId: 'bench', execId }, { timeoutMs: 0 });
      });
      // 3. Connect + handshake + one bare request: the price of reaching the agent at all.
      const [ping] = await timed(() => withClient((client) => client.call('Check', {})));
      if (i === 0) continue; // warm-up
      r.enter.push(enter);
      r.guest.push(waited.body.runtimeMs);
      r.ping.push(ping);
    }
    results.push(r);
    await vm.agent.stopContainer(vm.pod, c);
  } finally {
    await vm.stop();
  }
}

console.log(`\n${iterations} iterations of \`true\` per combination, same run:`);
const kataFloor = results.flatMap((r) => r.guest);
for (const r of results) {
  if (!r.guest.length) {
    console.log(summary(`EnterContainer, ${r.label} (exec + shim + attach + wait)`, r.enter));
    console.log(summary(`connect + PING, ${r.label}`, r.ping));
    console.log(`ratio EnterContainer / in-guest floor (the kata VMs' crun exec), ${r.label}: ${(median(r.enter) / median(kataFloor)).toFixed(2)}x`);
    continue;
  }
  console.log(summary(`EnterContainer, ${r.label} (exec + shim + attach + wait)`, r.enter));
  console.log(summary(`connect + handshake + Check, ${r.label}`, r.ping));
  console.log(summary(`crun exec inside the guest (floor), ${r.label} VM`, r.guest));
  console.log(`ratio EnterContainer / in-guest floor, ${r.label}: ${(median(r.enter) / median(r.guest)).toFixed(2)}x`);
}
const [base, ...others] = results;
for (const r of others) console.log(`ratio EnterContainer ${r.label} / ${base!.label}: ${(median(r.enter) / median(base!.enter)).toFixed(2)}x`);
