// Bringing a pod's VM up and down: network, hooks, hypervisor, agent sandbox and the containers
// inside, in upstream's order, each a named step (PodSession.step). Boot registers an undo for every
// step; teardown never stops halfway.
import { mkdir } from 'node:fs/promises';
import { EngineError, toEngineError } from './errors.js';
import { runHooks } from './hooks.js';
import { removeRunDirSafely } from './run-dir.js';
import { launchVm } from './templates/boot.js';
import type { Rollback } from './rollback.js';
import type { Prelaunched } from './drivers/agent/types.js';
import type { VmLaunchPlan } from './drivers/devices.js';
import type { PodSession } from './session.js';

/**
 * Netns → prestart hooks (inside it, as upstream) → network → VM with the devices the agent and the
 * network contributed → sandbox → every container created `ready` in the guest.
 */
export async function bootPod(s: PodSession, rb: Rollback): Promise<void> {
  const { network, hypervisor, agent, host } = s.drivers;
  await removeRunDirSafely(s.runDir, host); // what a crashed earlier attempt left
  await mkdir(s.runDir, { recursive: true, mode: 0o750 });
  rb.onFailure('remove the run directory', () => removeRunDirSafely(s.runDir, host));

  // Registered before prepare: remove() works from partial state, and a netns half made must go.
  rb.onFailure('remove the network', () => network.remove(s.context()));
  s.setRuntime('network', await s.step('network.prepare', () => network.prepare(s.context())));
  const netNsPath = network.info(s.context())?.netNsPath ?? '';
  await runHooks(host, s.id, 'prestart', s.pod.config.hooks.preStartHooks, { netNsPath, annotations: s.pod.config.annotations });
  const connected = await s.step('network.connect', () => network.connect(s.context()));
  s.setRuntime('network', connected.state);

  const devices = [...(await agent.devices(s.context())), ...connected.connection.devices];
  const plan = { netNsPath: connected.connection.netNsPath, devices };
  const early = prelaunch(s, plan, rb);
  const vm = await launchVm(s, plan); // a clone of a template, else a cold boot
  s.setRuntime('hypervisor', vm.state);
  rb.onFailure('stop the VM', () => hypervisor.stopVm(s.context()));

  s.setRuntime('agent', await s.step('agent.startSandbox', async () => agent.startSandbox(s.context(), vm.endpoints, connected.connection.guest, await early.take())));
  rb.onFailure('stop the sandbox', () => agent.stopSandbox(s.context()));

  for (const c of [...s.containers.values()]) {
    const agentState = await s.step(`agent.createContainer:${c.id}`, () => agent.createContainer(s.context(), s.containerContext(c)));
    const created = { ...c, agentState, process: null, exitCode: null };
    s.forceContainerState(c.id, 'ready', created);
    rb.onFailure(`remove container ${c.id}`, () => agent.stopContainer(s.context(), s.containerContext(created)));
  }
}

/**
 * Starts the agent's host side (its proxy) beside the launch, where the hypervisor can say where the
 * VM's sockets will be. Undone if the boot fails before startSandbox takes it; a failure to start
 * it early is only logged: startSandbox then starts its own, as without a prelaunch.
 */
function prelaunch(s: PodSession, plan: VmLaunchPlan, rb: Rollback): { take(): Promise<Prelaunched | null> } {
  const { hypervisor, agent } = s.drivers;
  const sockets = hypervisor.plannedSerialSockets?.(s.context(), plan);
  if (!sockets || !agent.prelaunch) return { take: async () => null };
  const started = agent.prelaunch(s.context(), sockets).catch((err: unknown) => {
    s.log.warn({ err }, 'starting the proxy beside the launch failed: the sandbox starts its own');
    return null;
  });
  let taken = false;
  rb.onFailure('stop what the agent started beside the launch', async () => {
    const early = await started;
    if (early && !taken) await early.undo();
  });
  return {
    take: () => {
      taken = true;
      return started;
    },
  };
}

/**
 * Stops what is still running in the guest, then the sandbox, the VM and the network. Every step
 * runs even when an earlier one fails. A container that cannot be stopped dies with its VM: that is
 * a warning (returned). A failure of a step that leaves something on the host (the proxy, the VM,
 * the network) fails the teardown once all steps ran, so that the caller keeps the records that
 * claim it and a retry can finish the job.
 */
export async function teardownPod(s: PodSession, opts: { guestResponsive: boolean }): Promise<string[]> {
  const { network, hypervisor, agent } = s.drivers;
  const warnings: string[] = [];
  const failures: EngineError[] = [];
  const attempt = async (step: string, what: string, fn: () => Promise<unknown>, fatal = true) => {
    try {
      await s.step(step, fn);
    } catch (err) {
      warnings.push(`${what}: ${(err as Error).message}`);
      if (fatal) failures.push(toEngineError(err));
      s.log.warn({ err }, `teardown: ${what} failed`);
    }
  };
  if (opts.guestResponsive) {
    for (const c of s.containers.values()) {
      if (c.state === 'stopped') continue;
      await attempt(`agent.stopContainer:${c.id}`, `stop container ${c.id}`, () => agent.stopContainer(s.context(), s.containerContext(c)), false);
    }
    await attempt('agent.stopSandbox', 'destroy the sandbox', () => agent.stopSandbox(s.context()));
  }
  await attempt('hypervisor.stopVm', 'stop the VM', () => hypervisor.stopVm(s.context()));
  // The sandbox's host side (proxy) must go even when the guest could not be asked; after the VM,
  // so that the agent's calls fail at once instead of waiting for a guest that cannot answer.
  if (!opts.guestResponsive) await attempt('agent.stopSandbox', 'stop the proxy', () => agent.stopSandbox(s.context()));
  await attempt('network.remove', 'remove the network', () => network.remove(s.context()));
  if (failures.length) {
    const first = failures[0]!;
    throw new EngineError(first.code, `could not tear pod ${s.id} down: ${warnings.join('; ')}`, first.details, { cause: first });
  }
  s.forceContainersStopped();
  return warnings;
}

export async function removeRunDir(s: PodSession): Promise<void> {
  await s.step('runDir.remove', () => removeRunDirSafely(s.runDir, s.drivers.host));
}
