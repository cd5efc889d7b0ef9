// Every call from every state: which succeed, and which fail with which code. The expectations are
// written out here on purpose (not derived from state.ts), so a change to the rules shows up as a diff.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { containerActionBlocker, podActionBlocker, type ContainerAction, type PodAction } from '../../components/pods/preconditions.js';
import type { State, VC } from '../../server/engine/index.js';
import { mockContainer, mockPod, testEngine } from '../helpers/engine.js';

type Scenario = 'A' | 'B' | 'C' | 'D' | 'E' | 'F' | 'G';
/** Pod state / state of container c1 in each scenario. */
const SCENARIOS: Record<Scenario, [State, State]> = {
  A: ['ready', 'ready'],
  B: ['running', 'ready'],
  C: ['running', 'running'],
  D: ['running', 'stopped'],
  E: ['paused', 'paused'],
  F: ['stopped', 'stopped'],
  G: ['paused', 'ready'],
};

async function setUp(vc: VC, scenario: Scenario): Promise<void> {
  if (scenario === 'B' || scenario === 'G') {
    await vc.runPod(mockPod('p', 0));
    await vc.createContainer('p', mockContainer('c1'));
    if (scenario === 'G') await vc.pausePod('p');
    return;
  }
  if (scenario === 'A') await vc.createPod(mockPod('p'));
  else await vc.runPod(mockPod('p'));
  if (scenario === 'D') await vc.stopContainer('p', 'c1');
  if (scenario === 'E') await vc.pausePod('p');
  if (scenario === 'F') await vc.stopPod('p');
}

const CONTAINER_CALLS: Record<string, [(vc: VC) => Promise<unknown>, Scenario[]]> = {
  startContainer: [(vc) => vc.startContainer('p', 'c1'), ['B', 'D']],
  stopContainer: [(vc) => vc.stopContainer('p', 'c1'), ['A', 'B', 'C', 'D', 'F']],
  // G: a created container lives in the guest, which a paused pod cannot be asked to remove it from.
  deleteContainer: [(vc) => vc.deleteContainer('p', 'c1'), ['A', 'B', 'D', 'F']],
  killContainer: [(vc) => vc.killContainer('p', 'c1', 'SIGTERM', false), ['A', 'B', 'C']],
  enterContainer: [(vc) => vc.enterContainer('p', 'c1', { args: ['true'] }), ['C']],
  processListContainer: [(vc) => vc.processListContainer('p', 'c1', {}), ['C']],
  statusContainer: [(vc) => vc.statusContainer('p', 'c1'), ['A', 'B', 'C', 'D', 'E', 'F', 'G']],
  createContainer: [(vc) => vc.createContainer('p', mockContainer('c2')), ['A', 'B', 'C', 'D']],
  attachProcess: [(vc) => vc.attachProcess('p', 'c1', 'c1'), ['B', 'C', 'D']],
};

const POD_CALLS: Record<string, [(vc: VC) => Promise<unknown>, Scenario[]]> = {
  startPod: [(vc) => vc.startPod('p'), ['A', 'F']],
  stopPod: [(vc) => vc.stopPod('p'), ['A', 'B', 'C', 'D', 'E', 'G']],
  deletePod: [(vc) => vc.deletePod('p'), ['A', 'F', 'G']],
  pausePod: [(vc) => vc.pausePod('p'), ['B', 'C', 'D']],
  resumePod: [(vc) => vc.resumePod('p'), ['E', 'G']],
  statusPod: [(vc) => vc.statusPod('p'), ['A', 'B', 'C', 'D', 'E', 'F', 'G']],
  podGuestStats: [(vc) => vc.podGuestStats('p'), ['B', 'C', 'D']],
};

/** Reads are not put on the timeline: the console polls them. */
const READ_CALLS = new Set(['statusPod', 'statusContainer', 'processListContainer', 'attachProcess', 'podGuestStats']);

/** The console's button for `call`, if it has one: null when enabled, else why not. */
function consoleSays(call: string, [podState, containerState]: [State, State]): string | null | undefined {
  const [pod, c1] = [{ id: 'p', state: podState }, { id: 'c1', state: containerState }];
  const name = call.replace(/Pod$|Container$/, '');
  if (call.endsWith('Pod') && ['start', 'stop', 'delete', 'pause', 'resume'].includes(name)) return podActionBlocker(name as PodAction, pod, [c1]);
  if (call.endsWith('Container') && name !== 'status') return containerActionBlocker(name as ContainerAction, name === 'create' ? null : c1, pod);
  return undefined;
}

describe.each(Object.entries({ ...POD_CALLS, ...CONTAINER_CALLS }))('%s', (call, [invoke, okIn]) => {
  it.each(Object.keys(SCENARIOS) as Scenario[])('in scenario %s', async (scenario) => {
    await using t = testEngine();
    await setUp(t.vc, scenario);
    const before = await t.vc.statusPod('p');
    const outcome = await invoke(t.vc).then(
      () => 'ok',
      (err: { code?: string }) => err.code,
    );
    // The console enables exactly what succeeds, except a no-op (stopping a stopped container).
    const button = consoleSays(call, SCENARIOS[scenario]);
    if (button !== undefined) expect(button === null, `console on ${call} in ${scenario}: ${button}`).toBe(outcome === 'ok' && !(call === 'stopContainer' && SCENARIOS[scenario][1] === 'stopped'));
    if (okIn.includes(scenario)) {
      expect(outcome, `${call} with pod/container ${SCENARIOS[scenario].join('/')}`).toBe('ok');
      return;
    }
    expect(outcome, `${call} with pod/container ${SCENARIOS[scenario].join('/')}`).toBe('INVALID_STATE');
    // A refused call changes nothing; a refused mutation leaves an error event on the timeline.
    expect(await t.vc.statusPod('p')).toEqual(before);
    if (READ_CALLS.has(call)) return;
    const last = (await t.vc.listPodEvents('p')).at(-1);
    expect(last).toMatchObject({ call, outcome: 'error', errorCode: 'INVALID_STATE' });
  });
});

describe('errors that do not depend on state', () => {
  it('names unknown pods and containers, bad ids and duplicates', async () => {
    await using t = testEngine();
    const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: { code: string }) => e.code);
    for (const call of Object.values(POD_CALLS)) expect(await code(call[0](t.vc))).toBe('POD_NOT_FOUND');
    for (const call of Object.values(CONTAINER_CALLS)) expect(await code(call[0](t.vc))).toBe('POD_NOT_FOUND');
    await t.vc.runPod(mockPod('p'));
    const onMissing: Record<string, () => Promise<unknown>> = {
      startContainer: () => t.vc.startContainer('p', 'nope'),
      stopContainer: () => t.vc.stopContainer('p', 'nope'),
      deleteContainer: () => t.vc.deleteContainer('p', 'nope'),
      killContainer: () => t.vc.killContainer('p', 'nope', 9, true),
      enterContainer: () => t.vc.enterContainer('p', 'nope', { args: ['true'] }),
      processListContainer: () => t.vc.processListContainer('p', 'nope', {}),
      statusContainer: () => t.vc.statusContainer('p', 'nope'),
      attachProcess: () => t.vc.attachProcess('p', 'nope', 'nope'),
    };
    for (const [name, call] of Object.entries(onMissing)) expect(await code(call()), name).toBe('CONTAINER_NOT_FOUND');
    expect(await code(t.vc.startPod(''))).toBe('INVALID_ARGUMENT');
    expect(await code(t.vc.statusContainer('p', ''))).toBe('INVALID_ARGUMENT');
    expect(await code(t.vc.createPod(mockPod('p')))).toBe('POD_EXISTS');
    expect(await code(t.vc.createContainer('p', mockContainer('c1')))).toBe('CONTAINER_EXISTS');
    expect(await code(t.vc.createPod({ id: 'h', hypervisorType: 'mock', agentType: 'hyperstart', proxyType: 'ccProxy', shimType: 'ccShim' }))).toBe('INVALID_CONFIG');
    expect(await code(t.vc.createPod({ id: 'h', hypervisorType: 'mock', vmConfig: { memory: -5 } }))).toBe('INVALID_CONFIG');
    // Driver pairs that cannot work are refused before anything boots or is recorded.
    expect(await code(t.vc.createPod({ id: 'h', hypervisorType: 'mock', agentType: 'kata', proxyType: 'kataProxy', shimType: 'kataShim' }))).toBe('INVALID_CONFIG');
    expect(await code(t.vc.runPod({ ...mockPod('h'), shimType: 'kataShim' }))).toBe('INVALID_CONFIG');
    expect(await code(t.vc.runPod({ ...mockPod('h'), proxyType: 'kataProxy' }))).toBe('INVALID_CONFIG');
    expect(existsSync(path.join(t.dir, 'run', 'h'))).toBe(false);
    expect(await code(t.vc.killContainer('p', 'c1', 'NOPE!', false))).toBe('INVALID_CONFIG');
    expect((await t.vc.listPod()).map((p) => p.id)).toEqual(['p']);
  });
});
