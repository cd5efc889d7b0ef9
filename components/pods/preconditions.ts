// Whether an action is possible in the current state, and if not, the sentence that says why. The
// tables are the engine's own (served by system.preconditions), so buttons and engine never disagree.
import type { CONTAINER_PRECONDITIONS, POD_PRECONDITIONS } from '../../server/engine/state';
import type { State } from '../../server/engine/types';

export interface Preconditions {
  pod: typeof POD_PRECONDITIONS;
  container: typeof CONTAINER_PRECONDITIONS;
}
export type PodAction = keyof Preconditions['pod'];
export type ContainerAction = keyof Preconditions['container'];

const either = (states: readonly string[]) => states.join(' or ');
const action = (name: string) => (name === 'processList' ? 'listing processes' : name === 'create' ? 'adding a container' : name);

/** null when `name` is possible on a pod in `state`. */
export function podActionBlocker(tables: Preconditions, name: PodAction, state: State): string | null {
  const allowed: readonly State[] = tables.pod[name];
  return allowed.includes(state) ? null : `The pod is ${state}; ${action(name)} needs it ${either(allowed)}`;
}

/** null when `name` is possible on a container in `state` (or none, for create) inside a pod in `podState`. */
export function containerActionBlocker(tables: Preconditions, name: ContainerAction, state: State | null, podState: State): string | null {
  const pre: { container?: readonly State[]; pod?: readonly State[] } = tables.container[name];
  if (state && pre.container && !pre.container.includes(state)) return `The container is ${state}; ${action(name)} needs it ${either(pre.container)}`;
  if (pre.pod && !pre.pod.includes(podState)) return `The pod is ${podState}; ${action(name)} needs it ${either(pre.pod)}`;
  return null;
}
