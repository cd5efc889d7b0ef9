// The pod calls of the 1.0 API, each run on a PodSession under the pod's lock, after the engine's
// skeleton checked the call's precondition (state.ts); the engine commits the session when a call
// returns, and runs the undos a call registered on `rb` if the call or that commit fails.
import { verifyAssets } from './assets.js';
import { effectiveHypervisorConfig } from './effective-config.js';
import { runHooks } from './hooks.js';
import type { Rollback } from './rollback.js';
import type { PodSession } from './session.js';
import { bootPod, removeRunDir, teardownPod } from './vm.js';
import { startOneContainer } from './container-ops.js';

/** Boots the VM and creates the configured containers (pod stays `ready`). */
export async function createPod(s: PodSession, rb: Rollback): Promise<string> {
  await verifiedBoot(s, rb);
  return `pod created with ${s.containers.size} container(s)`;
}

/** Custom assets' hashes are checked at every boot: the file may have changed since the last one. */
async function verifiedBoot(s: PodSession, rb: Rollback): Promise<void> {
  await verifyAssets(effectiveHypervisorConfig(s.pod.config, s.drivers.hypervisor.defaults(s.context())), s.pod.config.annotations);
  await bootPod(s, rb);
}

export async function startPod(s: PodSession, rb: Rollback): Promise<string> {
  // Upstream let a stopped pod "start" without a VM; we boot it again.
  if (s.pod.state === 'stopped') await verifiedBoot(s, rb);
  s.setPodState('running');
  for (const c of [...s.containers.values()]) {
    if (c.state === 'running') continue;
    await startOneContainer(s, c.id, rb);
  }
  const warnings = await runHooksLogged(s, 'poststart');
  return ['pod started', ...warnings].join('; ');
}

export async function stopPod(s: PodSession): Promise<string> {
  const warnings = await teardownPod(s, { guestResponsive: s.pod.state !== 'paused' });
  s.setPodState('stopped');
  warnings.push(...(await runHooksLogged(s, 'poststop')));
  return ['pod stopped', ...warnings].join('; ');
}

/** Unlike upstream, deleting a pod whose VM still runs stops the VM first instead of leaking it. */
export async function deletePod(s: PodSession): Promise<string> {
  const warnings = s.pod.state === 'stopped' ? [] : await teardownPod(s, { guestResponsive: s.pod.state !== 'paused' });
  await removeRunDir(s);
  s.removePod();
  return ['pod deleted', ...warnings].join('; ');
}

/** Upstream checked nothing here; the table requires `running`, and only running containers follow. */
export async function pausePod(s: PodSession): Promise<string> {
  await s.step('hypervisor.pauseVm', () => s.drivers.hypervisor.pauseVm(s.context()));
  s.setPodState('paused');
  for (const c of [...s.containers.values()]) if (c.state === 'running') s.setContainerState(c.id, 'paused');
  return 'pod paused';
}

export async function resumePod(s: PodSession): Promise<string> {
  await s.step('hypervisor.resumeVm', () => s.drivers.hypervisor.resumeVm(s.context()));
  s.setPodState('running');
  for (const c of [...s.containers.values()]) if (c.state === 'paused') s.setContainerState(c.id, 'running');
  return 'pod resumed';
}

/** Post-start and post-stop hook failures are reported, not fatal, as upstream. */
async function runHooksLogged(s: PodSession, kind: 'poststart' | 'poststop'): Promise<string[]> {
  const hooks = kind === 'poststart' ? s.pod.config.hooks.postStartHooks : s.pod.config.hooks.postStopHooks;
  try {
    const pid = kind === 'poststart' ? s.drivers.hypervisor.info(s.context())?.pid : null;
    await runHooks(s.drivers.host, s.id, kind, hooks, { annotations: s.pod.config.annotations, pid });
    return [];
  } catch (err) {
    s.log.warn({ err }, `${kind} hook failed`);
    return [(err as Error).message];
  }
}
