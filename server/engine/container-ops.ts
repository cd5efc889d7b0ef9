// The container calls of the 1.0 API that change state, each run on a PodSession under the pod's
// lock, after the engine's skeleton checked the call's precondition (state.ts).
import { EngineError } from './errors.js';
import type { Rollback } from './rollback.js';
import type { PodSession } from './session.js';
import type { ContainerConfig } from './types.js';

export async function createContainer(s: PodSession, config: ContainerConfig, rb: Rollback): Promise<string> {
  if (s.containers.has(config.id)) {
    throw new EngineError('CONTAINER_EXISTS', `Container "${config.id}" already exists in pod "${s.id}"`, { podId: s.id, containerId: config.id });
  }
  const record = {
    podId: s.id,
    id: config.id,
    state: 'ready' as const,
    config,
    process: null,
    agentState: {},
    exitCode: null,
    createdAt: new Date().toISOString(),
  };
  const agentState = await s.step(`agent.createContainer:${config.id}`, () => s.drivers.agent.createContainer(s.context(), { config, agentState: {} }));
  rb.onFailure(`remove container ${config.id}`, () => s.drivers.agent.stopContainer(s.context(), { config, agentState }));
  s.putContainer({ ...record, agentState });
  return 'container created';
}

/** Starts one container; a stopped one is created in the guest again first (its old instance was removed). */
export async function startOneContainer(s: PodSession, id: string, rb: Rollback): Promise<void> {
  const { agent } = s.drivers;
  let c = s.container(id);
  if (c.state === 'stopped') {
    const created = { ...c, agentState: await s.step(`agent.createContainer:${id}`, () => agent.createContainer(s.context(), s.containerContext(c))) };
    rb.onFailure(`remove container ${id}`, () => agent.stopContainer(s.context(), s.containerContext(created)));
    s.putContainer((c = created));
  }
  const started = await s.step(`agent.startContainer:${id}`, () => agent.startContainer(s.context(), s.containerContext(c)));
  const running = { process: started.process, agentState: started.agentState, exitCode: null };
  rb.onFailure(`stop container ${id}`, () => agent.stopContainer(s.context(), { config: c.config, agentState: running.agentState }));
  s.setContainerState(id, 'running', running);
}

export async function startContainer(s: PodSession, id: string, rb: Rollback): Promise<string> {
  await startOneContainer(s, id, rb);
  return 'container started';
}

/** Stopping a stopped container is a no-op success, as upstream: the skeleton does not get here. */
export async function stopContainer(s: PodSession, id: string): Promise<string> {
  const c = s.container(id);
  const { agent } = s.drivers;
  const probe = c.state === 'running' ? await s.step(`agent.probeContainer:${id}`, () => agent.probeContainer(s.context(), s.containerContext(c))).catch(() => null) : null;
  await s.step(`agent.stopContainer:${id}`, () => agent.stopContainer(s.context(), s.containerContext(c)));
  s.setContainerState(id, 'stopped', { exitCode: probe?.exitCode ?? c.exitCode });
  return 'container stopped';
}

export async function deleteContainer(s: PodSession, id: string): Promise<string> {
  const c = s.container(id);
  if (c.state === 'ready') {
    // A created-but-never-started container still exists in the guest: remove it there too.
    await s.step(`agent.stopContainer:${id}`, () => s.drivers.agent.stopContainer(s.context(), s.containerContext(c)));
  }
  s.removeContainer(id);
  return 'container deleted';
}

export async function killContainer(s: PodSession, id: string, signal: string, all: boolean): Promise<string> {
  const c = s.container(id);
  await s.step(`agent.signalContainer:${id}`, () => s.drivers.agent.signalContainer(s.context(), s.containerContext(c), signal, all));
  return `${signal} sent${all ? ' to all processes' : ''}`;
}
