// Whether an action is possible in the current state, and if not, the sentence that says why. The
// verdict is the engine's own (state.ts, the table its call skeleton enforces), so buttons and engine
// never disagree; only the wording is the console's.
import { verdict, type CallName, type Situation, type Subject } from '../../server/engine/state';

export type PodAction = 'start' | 'stop' | 'delete' | 'pause' | 'resume';
export type ContainerAction = 'create' | 'start' | 'stop' | 'delete' | 'kill' | 'enter' | 'processList';

const phrase = (name: string) => (name === 'processList' ? 'listing processes' : name === 'create' ? 'adding a container' : name);

function blocker(name: PodAction | ContainerAction, call: CallName, at: Situation): string | null {
  const v = verdict(call, at);
  if (v.go === 'act') return null;
  // The engine accepts it as a no-op; a button that does nothing would only mislead.
  if (v.go === 'done') return `The container is already ${at.container?.state}`;
  const who = v.kind === 'pod' ? 'The pod' : v.who === at.container ? 'The container' : `Container ${v.who.id}`;
  return `${who} is ${v.who.state}; ${phrase(name)} needs it ${v.allowed.join(' or ')}`;
}

/** null when `name` is possible on `pod`, whose containers are `containers`. */
export function podActionBlocker(name: PodAction, pod: Subject, containers: readonly Subject[]): string | null {
  return blocker(name, `${name}Pod`, { pod, containers });
}

/** null when `name` is possible on `container` (none, for create) inside `pod`. */
export function containerActionBlocker(name: ContainerAction, container: Subject | null, pod: Subject): string | null {
  return blocker(name, `${name}Container`, { pod, ...(container ? { container } : {}) });
}
