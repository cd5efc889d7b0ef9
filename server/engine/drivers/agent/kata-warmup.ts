// A template VM's warm-up, run by the kata driver before the template's memory is saved: the calls a
// clone's sandbox and containers will make, once, on a throwaway container over the guest's own root
// (guest/agent/warm-up.ts). Under TCG the first run of any code path in a guest is slow (V8 compiles
// the handlers lazily, crun and busybox are read from the image): measured on a clone, its first
// Check took 270 ms cold against 12 ms for the second; from a warmed template, 10-50 ms.
import { randomBytes } from 'node:crypto';
import { connectAgentSocket } from '../../../guest/protocol/connect.js';
import { EMPTY_GUEST_NETWORK } from '../../../guest/protocol/network.js';
import { EngineError } from '../../errors.js';
import type { VmEndpoints } from '../devices.js';

/** The template's only container: no pod's containers exist there. */
const WARM_CONTAINER = 'podvisor-template-warm-up';
const CALL_MS = 60_000;

export async function warmTemplateAgent(vm: VmEndpoints, agentPort: string): Promise<void> {
  const socket = vm.serialPorts[agentPort];
  if (!socket) throw new EngineError('AGENT_FAILED', `the template VM has no ${agentPort} port`);
  const client = await connectAgentSocket(socket, CALL_MS);
  const opts = { timeoutMs: CALL_MS };
  const containerId = WARM_CONTAINER;
  try {
    await client.call('Check', {}, opts);
    await client.call('Version', {}, opts);
    const identity = { timeMs: Date.now(), seed: randomBytes(64).toString('base64') };
    await client.call('CreateSandbox', { sandboxId: 'template', hostname: 'podvisor-template', storages: [], volumes: [], network: EMPTY_GUEST_NETWORK, identity }, opts);
    await client.call('WarmUpRootfs', { containerId, present: true }, opts);
    try {
      await client.call('CreateContainer', { containerId, readonlyRootfs: true, process: { args: ['sleep', '60'] }, mounts: [], devices: [], rootfsBlock: null }, opts);
      await client.call('StartContainer', { containerId }, opts);
      // An exec the way EnterContainer runs one: started, attached, waited for.
      const execId = 'warm-up-exec';
      await client.call('ExecProcess', { containerId, execId, process: { args: ['true'] } }, opts);
      await client.call('Attach', { containerId, execId, stdoutOffset: 0, stderrOffset: 0 }, opts);
      const { body } = await client.call('WaitProcess', { containerId, execId }, opts);
      if (body.exitCode !== 0) throw new EngineError('AGENT_FAILED', `the template's warm-up exec exited ${body.exitCode}`);
      await client.call('ContainerStatus', { containerId }, opts);
      await client.call('GuestStats', {}, opts);
      await client.call('RemoveContainer', { containerId, timeoutMs: 20_000 }, opts);
    } finally {
      await client.call('WarmUpRootfs', { containerId, present: false }, opts);
    }
    await client.call('DestroySandbox', {}, opts);
  } finally {
    client.close();
  }
}
