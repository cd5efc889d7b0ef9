// Status calls check the world, not just the records: a VM that died or a container whose init
// exited is noticed here and recorded (upstream reported the stale state once, then fixed it).
import { effectiveHypervisorConfig } from './effective-config.js';
import type { PodSession } from './session.js';
import type { ContainerStatus, PodStatus } from './types.js';
import { teardownPod } from './vm.js';

/**
 * Updates `s` to what the hypervisor and agent report; returns a message when anything changed.
 * Only a caller holding the pod's lock (`locked`) may clean up after a dead VM; without it the
 * session just shows the corrected states.
 */
export async function observe(s: PodSession, { locked }: { locked: boolean }): Promise<string | null> {
  if (s.pod.state === 'stopped') return null;
  const { hypervisor, agent } = s.drivers;
  // A check that errors says nothing about liveness: only an explicit `dead` tears down.
  const liveness = await s.step('hypervisor.check', () => hypervisor.check(s.context())).catch(() => null);
  if (liveness === 'dead' || (typeof liveness === 'object' && liveness !== null)) {
    // The VM is gone (or cannot go on) whatever the teardown of its leftovers says: the pod is stopped either way.
    const failed = locked ? await teardownPod(s, { guestResponsive: false }).then(() => null, (err: Error) => err.message) : null;
    s.forceContainersStopped();
    s.forcePodState('stopped');
    const why = typeof liveness === 'object' ? liveness.dead : 'the VM is gone';
    return `${why}: pod stopped${failed ? `; ${failed}` : ''}`;
  }
  if (s.pod.state !== 'running' || liveness !== 'running') return null;
  const exited: string[] = [];
  for (const c of [...s.containers.values()]) {
    if (c.state !== 'running') continue;
    const probe = await s.step(`agent.probeContainer:${c.id}`, () => agent.probeContainer(s.context(), s.containerContext(c))).catch(() => null);
    if (probe && !probe.running) {
      s.forceContainerState(c.id, 'stopped', { exitCode: probe.exitCode });
      exited.push(`container ${c.id} exited (${probe.exitCode ?? 'unknown'})`);
    }
  }
  return exited.length ? exited.join('; ') : null;
}

export function containerStatusOf(s: PodSession, id: string): ContainerStatus {
  const c = s.container(id);
  return {
    id: c.id,
    state: c.state,
    pid: c.process?.pid ?? 0,
    startTime: c.process?.startTime ?? '',
    rootFs: c.config.rootFs,
    annotations: c.config.annotations,
    exitCode: c.exitCode,
  };
}

export function podStatusOf(s: PodSession): PodStatus {
  return {
    id: s.id,
    state: s.pod.state,
    hypervisor: s.pod.config.hypervisorType,
    hypervisorConfig: s.pod.config.hypervisorConfig,
    effectiveHypervisorConfig: effectiveHypervisorConfig(s.pod.config, s.drivers.hypervisor.defaults(s.context())),
    agent: s.pod.config.agentType,
    containersStatus: [...s.containers.keys()].map((id) => containerStatusOf(s, id)),
    annotations: s.pod.config.annotations,
    vm: s.pod.state === 'stopped' ? null : s.drivers.hypervisor.info(s.context()),
    network: s.pod.state === 'stopped' ? null : s.drivers.network.info(s.context()),
  };
}
