// The one precondition table: it covers every call, and the console's buttons say what the engine
// does for every pod state × container state (also the combinations no scenario reaches).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { containerActionBlocker, podActionBlocker, type ContainerAction, type PodAction } from '../../components/pods/preconditions.js';
import { createEngine } from '../../server/engine/engine.js';
import { EngineError } from '../../server/engine/errors.js';
import { admit, HOST_CALLS, PRECONDITIONS, type CallName, type Situation } from '../../server/engine/state.js';
import type { Store } from '../../server/engine/store/types.js';
import { STATES } from '../../server/engine/types.js';

describe('the precondition table', () => {
  it('has an entry for every call on a pod, and only those', () => {
    expectTypeOf<keyof typeof PRECONDITIONS>().toEqualTypeOf<CallName>();
    const dir = mkdtempSync(path.join(tmpdir(), 'pv-calls-'));
    // Building the engine touches no store; its keys are the VC calls as implemented.
    const vc = createEngine({ store: {} as Store, runRoot: dir, lockDir: dir, log: pino({ level: 'silent' }), hostPathRoots: [dir] });
    const handleSetters = ['setAnnotations', 'setPid'];
    expect(new Set([...Object.keys(PRECONDITIONS), ...HOST_CALLS])).toEqual(new Set([...Object.keys(vc), ...handleSetters]));
  });
});

/** The engine's judgement, as its skeleton reaches it: act, a no-op, or the refusal's details. */
function engineSays(call: CallName, at: Situation) {
  try {
    return admit(call, at) === null ? 'act' : 'done';
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('INVALID_STATE');
    return (err as EngineError).details as { state: string; allowed: string[] };
  }
}

function expectSame(consoleSays: string | null, engine: ReturnType<typeof engineSays>) {
  if (engine === 'act') return expect(consoleSays).toBeNull();
  // A no-op success is shown as unavailable: the button would do nothing.
  if (engine === 'done') return expect(consoleSays).toMatch(/is already stopped$/);
  expect(consoleSays).toContain(`is ${engine.state}; `);
  expect(consoleSays).toMatch(new RegExp(`needs it ${engine.allowed.join(' or ')}$`));
}

const POD_ACTIONS: PodAction[] = ['start', 'stop', 'delete', 'pause', 'resume'];
const CONTAINER_ACTIONS: ContainerAction[] = ['create', 'start', 'stop', 'delete', 'kill', 'enter', 'processList'];

describe.each(STATES)('a pod %s', (podState) => {
  const pod = { id: 'p', state: podState };
  it.each(STATES)('with a container %s: the console enables what the engine admits, and says why not', (containerState) => {
    const c1 = { id: 'c1', state: containerState };
    const containers = [{ id: 'c0', state: 'ready' as const }, c1];
    for (const name of POD_ACTIONS) expectSame(podActionBlocker(name, pod, containers), engineSays(`${name}Pod`, { pod, containers }));
    for (const name of CONTAINER_ACTIONS) {
      const container = name === 'create' ? undefined : c1;
      expectSame(containerActionBlocker(name, container ?? null, pod), engineSays(`${name}Container`, { pod, container, containers }));
    }
  });
});

it('names the container that keeps a pod from being deleted', () => {
  const pod = { id: 'p', state: 'paused' as const };
  const containers = [{ id: 'web', state: 'paused' as const }];
  expect(podActionBlocker('delete', pod, containers)).toBe('Container web is paused; delete needs it ready or stopped');
  expect(() => admit('deletePod', { pod, containers })).toThrow('Container "web" is paused, not ready or stopped: impossible to delete the pod');
});

it('refuses to delete a created container of a paused pod, as the engine does', () => {
  const at = { pod: { id: 'p', state: 'paused' as const }, container: { id: 'c1', state: 'ready' as const } };
  expect(containerActionBlocker('delete', at.container, at.pod)).toBe('The pod is paused; delete needs it ready or running');
  expect(() => admit('deleteContainer', at)).toThrow('Pod "p" is paused, not ready or running: impossible to delete the container');
});
