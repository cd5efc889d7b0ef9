// Boots a real pod VM (qemu driver) with the kata agent/proxy/shim drivers, for VM tests and
// benches. The guest runs the CURRENT agent bundle from dist/guest over a 9p dev share (the
// init's podvisor.share/podvisor.agent aid), so no image rebuild is needed after agent changes.
// A hyperstart pod (no volumes: STARTPOD shares one directory) runs the image's own agent, behind
// a ccProxy of its own run dir or reached directly (noProxy).
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { createHyperstartAgent } from '../../engine/drivers/agent/hyperstart.js';
import { createKataAgent } from '../../engine/drivers/agent/kata.js';
import type { Agent } from '../../engine/drivers/agent/types.js';
import { createQemuHypervisor } from '../../engine/drivers/hypervisor/qemu/index.js';
import type { Hypervisor } from '../../engine/drivers/hypervisor/types.js';
import { createCcProxy, stopCcProxy } from '../../engine/drivers/proxy/cc.js';
import { createKataProxy } from '../../engine/drivers/proxy/kata.js';
import { createNoProxy } from '../../engine/drivers/proxy/no.js';
import { createCcShim } from '../../engine/drivers/shim/cc.js';
import { createKataShim } from '../../engine/drivers/shim/kata.js';
import type { ContainerContext, PodContext } from '../../engine/drivers/types.js';
import { ContainerConfigSchema, PodConfigSchema, type CmdInput } from '../../engine/types.js';
import { REPO_ROOT } from '../helper-process.js';
import { EMPTY_GUEST_NETWORK } from '../protocol/network.js';
import { makeBusyboxRootfs } from './host-agent.js';

const DEV_TAG = 'pvdev';
const DEV_MOUNT = '/opt/pvdev';

export interface VmPod {
  pod: PodContext;
  agent: Agent;
  hypervisor: Hypervisor;
  /** Creates a busybox container (rootfs under the run dir) in the pod. */
  container(id: string, cmd: CmdInput): Promise<ContainerContext>;
  stop(): Promise<void>;
}

/** `proxyType`: how the host reaches the agent (benches compare them); ccProxy means hyperstart. */
export async function bootVmPod(id: string, logLevel = 'silent', proxyType: 'kataProxy' | 'noProxy' | 'ccProxy' = 'kataProxy', agentType: 'kata' | 'hyperstart' = proxyType === 'ccProxy' ? 'hyperstart' : 'kata'): Promise<VmPod> {
  const runDir = await mkdtemp('/tmp/pvvm-'); // short: unix socket paths are limited to 107 bytes
  const hyperstart = agentType === 'hyperstart';
  const config = PodConfigSchema.parse({
    id,
    hypervisorType: 'qemu',
    agentType: hyperstart ? 'hyperstart' : 'kata',
    proxyType,
    shimType: hyperstart ? 'ccShim' : 'kataShim',
    ...(hyperstart
      ? {}
      : {
          volumes: [{ mountTag: DEV_TAG, hostPath: join(REPO_ROOT, 'dist/guest') }],
          hypervisorConfig: {
            kernelParams: [
              { key: 'podvisor.share', value: `${DEV_TAG}:${DEV_MOUNT}` },
              { key: 'podvisor.agent', value: `${DEV_MOUNT}/agent.mjs` },
            ],
          },
        }),
  });
  const pod: PodContext = { id, config, runDir, runtime: { hypervisor: {}, agent: {}, network: {} }, log: pino({ level: logLevel }) };
  const hypervisor = createQemuHypervisor({ runRoot: '/tmp' });
  const agent = hyperstart
    ? createHyperstartAgent({ runRoot: runDir }, proxyType === 'noProxy' ? createNoProxy() : createCcProxy(runDir), createCcShim())
    : createKataAgent({ runRoot: '/tmp' }, proxyType === 'noProxy' ? createNoProxy() : createKataProxy(), createKataShim());
  const vm = await hypervisor.startVm(pod, { netNsPath: '', devices: await agent.devices(pod) });
  pod.runtime.hypervisor = vm.state;
  const stop = async () => {
    await agent.stopSandbox(pod).catch((err: unknown) => pod.log.warn({ err }, 'stopSandbox failed'));
    await hypervisor.stopVm(pod);
    if (hyperstart) await stopCcProxy(runDir);
    await rm(runDir, { recursive: true, force: true });
  };
  try {
    pod.runtime.agent = await agent.startSandbox(pod, vm.endpoints, EMPTY_GUEST_NETWORK);
  } catch (err) {
    await stop();
    throw err;
  }
  return {
    pod,
    agent,
    hypervisor,
    async container(containerId, cmd) {
      const rootFs = join(runDir, `rootfs-${containerId}`);
      await makeBusyboxRootfs(rootFs);
      const c: ContainerContext = { config: ContainerConfigSchema.parse({ id: containerId, rootFs, cmd }), agentState: {} };
      c.agentState = await agent.createContainer(pod, c);
      pod.config.containers.push(c.config);
      return c;
    },
    stop,
  };
}
