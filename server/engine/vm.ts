// Bringing a pod's VM up and down: network, hooks, hypervisor, agent sandbox and the containers
// inside, in upstream's order. Boot registers an undo for every step; teardown never stops halfway.
import { mkdir } from 'node:fs/promises';
import { runHooks } from './hooks.js';
import { removeRunDirSafely } from './run-dir.js';
import type { Rollback } from './rollback.js';
import type { PodSession } from './session.js';

/**
 * Netns → prestart hooks (inside it, as upstream) → network → VM with the devices the agent and the
 * network contributed → sandbox → every container created `ready` in the guest.
 */
export async function bootPod(s: PodSession, rb: Rollback): Promise<void> {
  const { network, hypervisor, agent } = s.drivers;
  await removeRunDirSafely(s.runDir); // what a crashed earlier attempt left
  await mkdir(s.runDir, { recursive: true, mode: 0o750 });
  rb.onFailure('remove the run directory', () => removeRunDirSafely(s.runDir));

  // Registered before prepare: remove() works from partial state, and a netns half made must go.
  rb.onFailure('remove the network', () => network.remove(s.context()));
  s.setRuntime('network', await network.prepare(s.context()));
  const netNsPath = network.info(s.context())?.netNsPath ?? '';
  await runHooks(s.id, 'prestart', s.pod.config.hooks.preStartHooks, { netNsPath });
  const connected = await network.connect(s.context());
  s.setRuntime('network', connected.state);

  const devices = [...(await agent.devices(s.context())), ...connected.connection.devices];
  const vm = await hypervisor.startVm(s.context(), { netNsPath: connected.connection.netNsPath, devices });
  s.setRuntime('hypervisor', vm.state);
  rb.onFailure('stop the VM', () => hypervisor.stopVm(s.context()));

  s.setRuntime('agent', await agent.startSandbox(s.context(), vm.endpoints, connected.connection.guest));
  rb.onFailure('stop the sandbox', () => agent.stopSandbox(s.context()));

  for (const c of [...s.containers.values()]) {
    const agentState = await agent.createContainer(s.context(), s.containerContext(c));
    const created = { ...c, agentState, process: null, exitCode: null };
    s.forceContainerState(c.id, 'ready', created);
    rb.onFailure(`remove container ${c.id}`, () => agent.stopContainer(s.context(), s.containerContext(created)));
  }
}

/**
 * Stops what is still running in the guest, then the sandbox, the VM and the network.
 * Every step runs even when an earlier one fails; the failures are returned as warnings.
 */
export async function teardownPod(s: PodSession, opts: { guestResponsive: boolean }): Promise<string[]> {
  const { network, hypervisor, agent } = s.drivers;
  const warnings: string[] = [];
  const attempt = async (what: string, fn: () => Promise<unknown>) => {
    try {
      await fn();
    } catch (err) {
      warnings.push(`${what}: ${(err as Error).message}`);
      s.log.warn({ err }, `teardown: ${what} failed`);
    }
  };
  if (opts.guestResponsive) {
    for (const c of s.containers.values()) {
      if (c.state === 'stopped') continue;
      await attempt(`stop container ${c.id}`, () => agent.stopContainer(s.context(), s.containerContext(c)));
    }
    await attempt('destroy the sandbox', () => agent.stopSandbox(s.context()));
  }
  await attempt('stop the VM', () => hypervisor.stopVm(s.context()));
  // The sandbox's host side (proxy) must go even when the guest could not be asked.
  if (!opts.guestResponsive) await attempt('stop the proxy', () => agent.stopSandbox(s.context()));
  await attempt('remove the network', () => network.remove(s.context()));
  s.forceContainersStopped();
  return warnings;
}

export async function removeRunDir(s: PodSession): Promise<void> {
  await removeRunDirSafely(s.runDir);
}
