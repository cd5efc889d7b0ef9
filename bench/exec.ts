// EnterContainer `true` round trip, measured from the host, against the same exec timed inside
// the guest by the runtime alone (crun exec, spawn to exit, as the agent reports in WaitProcess).
//   npx tsx bench/exec.ts [--iterations 10]      (boots a real pod VM: needs the guest assets)
import { parseArgs } from 'node:util';
import { median } from './lib/stats.js';
import { socketPathOf } from '../server/engine/drivers/proxy/kata.js';
import { proxyHandleOf } from '../server/engine/drivers/proxy/types.js';
import { CmdSchema } from '../server/engine/types.js';
import { connectAgentSocket } from '../server/guest/protocol/connect.js';
import { bootVmPod } from '../server/guest/testing/vm-pod.js';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '10' } } });
const iterations = Number(values.iterations);

function summary(label: string, samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1);
  return `${label.padEnd(52)} median ${at(0.5).padStart(7)} ms   p90 ${at(0.9).padStart(7)} ms   min ${at(0).padStart(7)} ms`;
}

async function timed<T>(fn: () => Promise<T>): Promise<[number, T]> {
  const start = performance.now();
  const result = await fn();
  return [performance.now() - start, result];
}

const bootStart = performance.now();
const vm = await bootVmPod('bench');
console.log(`pod VM booted and sandbox created in ${((performance.now() - bootStart) / 1000).toFixed(1)} s (${vm.hypervisor.info(vm.pod)?.accelerator ?? '?'})`);
try {
  const c = await vm.container('bench', { args: ['sleep', '3600'], detach: true });
  c.agentState = (await vm.agent.startContainer(vm.pod, c)).agentState;
  const client = await connectAgentSocket(socketPathOf(proxyHandleOf(vm.pod.runtime.agent)!.url));
  const cmd = CmdSchema.parse({ args: ['true'], detach: true });
  const samples = { enter: [] as number[], protocol: [] as number[], guest: [] as number[], ping: [] as number[] };

  for (let i = 0; i <= iterations; i++) {
    const warmup = i === 0;
    // 1. What EnterContainer costs the engine: ExecProcess, a shim, then waiting for the exit.
    const [enter] = await timed(async () => {
      const process = await vm.agent.exec(vm.pod, c, cmd);
      const io = await vm.agent.attach(vm.pod, c, process.token);
      await io.wait();
      io.close();
    });
    // 2. The same exec over one open proxy connection, without shim or attach.
    const execId = `bench-${i}`;
    const [protocol, waited] = await timed(async () => {
      await client.call('ExecProcess', { containerId: 'bench', execId, process: { args: ['true'] } });
      return client.call('WaitProcess', { containerId: 'bench', execId }, { timeoutMs: 0 });
    });
    // 3. A bare request round trip host → proxy → guest agent → back.
    const [ping] = await timed(() => client.call('Check', {}));
    if (warmup) continue;
    samples.enter.push(enter);
    samples.protocol.push(protocol);
    samples.guest.push(waited.body.runtimeMs);
    samples.ping.push(ping);
  }
  client.close();
  console.log(`${iterations} iterations of \`true\`:`);
  console.log(summary('EnterContainer via kata driver (exec + shim + wait)', samples.enter));
  console.log(summary('ExecProcess + WaitProcess over one proxy connection', samples.protocol));
  console.log(summary('crun exec inside the guest (runtime alone)', samples.guest));
  console.log(summary('Check round trip (protocol + virtio-serial)', samples.ping));
  console.log(`ratio EnterContainer / crun exec in the guest: ${(median(samples.enter) / median(samples.guest)).toFixed(2)}x  (target <= 1.25x)`);
  await vm.agent.stopContainer(vm.pod, c);
} finally {
  await vm.stop();
}
