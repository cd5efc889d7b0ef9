// The one place that says which state moves are legal, for pods and containers alike
// (upstream State.validTransition), and which states each API call accepts.
import { EngineError } from './errors.js';
import type { State } from './types.js';

export const TRANSITIONS: Readonly<Record<State, readonly State[]>> = {
  ready: ['running', 'stopped'],
  running: ['paused', 'stopped'],
  paused: ['running', 'stopped'],
  stopped: ['running'],
};

export function canTransition(from: State, to: State): boolean {
  return TRANSITIONS[from].includes(to);
}

export function assertTransition(kind: 'pod' | 'container', id: string, from: State, to: State): void {
  if (!canTransition(from, to)) {
    throw new EngineError('INVALID_STATE', `Can not move ${kind} "${id}" from ${from} to ${to}`, { kind, id, from, to });
  }
}

/** Throws INVALID_STATE unless `state` is one of `allowed`; `action` completes "impossible to …". */
export function assertStateIn(kind: 'pod' | 'container', id: string, state: State, allowed: readonly State[], action: string): void {
  if (!allowed.includes(state)) {
    throw new EngineError(
      'INVALID_STATE',
      `${kind === 'pod' ? 'Pod' : 'Container'} "${id}" is ${state}, not ${allowed.join(' or ')}: impossible to ${action}`,
      { kind, id, state, allowed: [...allowed] },
    );
  }
}

/** Per-call preconditions, named once so the engine, the console (disabled buttons) and tests agree. */
export const POD_PRECONDITIONS = {
  start: ['ready', 'stopped'],
  stop: ['ready', 'running', 'paused'],
  delete: ['ready', 'stopped', 'paused'],
  pause: ['running'],
  resume: ['paused'],
} as const satisfies Record<string, readonly State[]>;

export const CONTAINER_PRECONDITIONS = {
  /** container state, pod state */
  create: { pod: ['ready', 'running'] },
  start: { container: ['ready', 'stopped'], pod: ['running'] },
  stop: { container: ['ready', 'running', 'paused'], pod: ['ready', 'running'] },
  delete: { container: ['ready', 'stopped'] },
  kill: { container: ['ready', 'running'], pod: ['ready', 'running'] },
  enter: { container: ['running'], pod: ['running'] },
  processList: { container: ['running'], pod: ['running'] },
} as const;
