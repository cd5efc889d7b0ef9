// The mutating calls the fault tier drives, each from the state it needs, with the steps it must
// go through (the names a fault plan uses). Mock hypervisor, noop agent and network: nothing real.
import type { VC } from '../../server/engine/index.js';
import { mockContainer, mockPod } from './engine.js';

export interface Scenario {
  name: string;
  /** The VC call and its arguments (also what a child process is told to run). */
  call: keyof VC;
  args(id: string): unknown[];
  /** The event the call records (runPod records createPod, then startPod), and the container it names. */
  eventCall: string;
  container?: string;
  setup(vc: VC, id: string): Promise<unknown>;
  /** The steps of the call, in order. */
  steps: string[];
  /** Steps whose failure the call reports as a warning and survives (what dies with the VM, post hooks). */
  tolerated?: RegExp;
  /** Whether the very same call must succeed right after it failed. */
  retry: boolean;
}

export const podConfig = (id: string) => mockPod(id, 2);
const boot = ['network.prepare', 'hooks.prestart', 'network.connect', 'hypervisor.startVm', 'agent.startSandbox', 'agent.createContainer:c1', 'agent.createContainer:c2'];
const startBoth = ['agent.startContainer:c1', 'agent.startContainer:c2', 'hooks.poststart'];
const teardown = ['agent.stopContainer:c1', 'agent.stopContainer:c2', 'agent.stopSandbox', 'hypervisor.stopVm', 'network.remove'];
const none = async () => {};
const running = (vc: VC, id: string) => vc.runPod(podConfig(id));

export const SCENARIOS: Scenario[] = [
  { name: 'createPod', eventCall: 'createPod', setup: none, call: 'createPod', args: (id) => [podConfig(id)], steps: [...boot, 'store.commit:createPod'], retry: true },
  {
    name: 'runPod',
    eventCall: 'startPod',
    setup: none,
    call: 'runPod',
    args: (id) => [podConfig(id)],
    steps: [...boot, 'store.commit:createPod', ...startBoth, 'store.commit:startPod'],
    tolerated: /^hooks\.poststart$/,
    retry: false, // once created, the pod exists: runPod again is POD_EXISTS
  },
  { name: 'startPod (ready)', eventCall: 'startPod', setup: (vc, id) => vc.createPod(podConfig(id)), call: 'startPod', args: (id) => [id], steps: [...startBoth, 'store.commit:startPod'], tolerated: /^hooks\.poststart$/, retry: true },
  {
    name: 'startPod (stopped: boots again)',
    eventCall: 'startPod',
    setup: async (vc, id) => (await running(vc, id), vc.stopPod(id)),
    call: 'startPod', args: (id) => [id],
    steps: [...boot, ...startBoth, 'store.commit:startPod'],
    tolerated: /^hooks\.poststart$/,
    retry: true,
  },
  {
    name: 'stopPod',
    eventCall: 'stopPod',
    setup: running,
    call: 'stopPod',
    args: (id) => [id],
    steps: [...teardown, 'hooks.poststop', 'store.commit:stopPod'],
    tolerated: /^(agent\.stopContainer:|hooks\.poststop$)/,
    retry: false, // a status call may have found the VM gone and stopped the pod already
  },
  {
    name: 'deletePod (ready)',
    eventCall: 'deletePod',
    setup: (vc, id) => vc.createPod(podConfig(id)),
    call: 'deletePod',
    args: (id) => [id],
    steps: [...teardown, 'runDir.remove', 'store.commit:deletePod'],
    tolerated: /^agent\.stopContainer:/,
    retry: true,
  },
  {
    name: 'deletePod (stopped)',
    eventCall: 'deletePod',
    setup: async (vc, id) => (await running(vc, id), vc.stopPod(id)),
    call: 'deletePod',
    args: (id) => [id],
    steps: ['runDir.remove', 'store.commit:deletePod'],
    retry: true,
  },
  { name: 'createContainer', eventCall: 'createContainer', container: 'c9', setup: running, call: 'createContainer', args: (id) => [id, mockContainer('c9')], steps: ['agent.createContainer:c9', 'store.commit:createContainer'], retry: true },
  {
    name: 'startContainer (ready)',
    eventCall: 'startContainer',
    container: 'c9',
    setup: async (vc, id) => (await running(vc, id), vc.createContainer(id, mockContainer('c9'))),
    call: 'startContainer',
    args: (id) => [id, 'c9'],
    steps: ['agent.startContainer:c9', 'store.commit:startContainer'],
    retry: true,
  },
  {
    name: 'startContainer (stopped: created again)',
    eventCall: 'startContainer',
    container: 'c1',
    setup: async (vc, id) => (await running(vc, id), vc.stopContainer(id, 'c1')),
    call: 'startContainer',
    args: (id) => [id, 'c1'],
    steps: ['agent.createContainer:c1', 'agent.startContainer:c1', 'store.commit:startContainer'],
    retry: true,
  },
  { name: 'enterContainer', eventCall: 'enterContainer', container: 'c1', setup: running, call: 'enterContainer', args: (id) => [id, 'c1', { args: ['true'] }], steps: ['agent.exec:c1', 'store.commit:enterContainer'], retry: true },
];

/** Runs the scenario's call in this process. */
export function runCall(vc: VC, sc: Scenario, id: string): Promise<unknown> {
  return (vc[sc.call] as (...args: unknown[]) => Promise<unknown>)(...sc.args(id));
}

/**
 * The pod can be used again, then leaves nothing: created if it is not there, brought to running,
 * entered, stopped and deleted.
 */
export async function useThenDelete(vc: VC, id: string): Promise<void> {
  const found = await vc.statusPod(id).catch((err: { code?: string }) => (err.code === 'POD_NOT_FOUND' ? null : Promise.reject(err)));
  if (!found) await vc.createPod(podConfig(id));
  const { state } = await vc.statusPod(id);
  if (state === 'ready' || state === 'stopped') await vc.startPod(id);
  if (state === 'paused') await vc.resumePod(id);
  await vc.enterContainer(id, 'c1', { args: ['true'] });
  await vc.stopPod(id);
  await vc.deletePod(id);
}
