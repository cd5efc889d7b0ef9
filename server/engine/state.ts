// The one place that says which state moves are legal, for pods and containers alike
// (upstream State.validTransition), and which states each call accepts. The engine's call skeleton
// and the console's buttons both judge calls with `verdict`, so they cannot disagree. The console
// imports this file: keep its imports extensionless and free of Node modules.
import { EngineError } from './errors';
import type { State } from './types';
import type { VC, VCContainer, VCPod } from './vc';

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

/** Calls on no one pod (the host, or the store as a whole), hence with no precondition. */
export const HOST_CALLS = ['hostPathRoots', 'setHostPathRoots', 'generation', 'listPodSummaries', 'doctor', 'close', 'onProgress', 'hostDevicePatterns', 'setHostDevicePatterns', 'listTemplates', 'buildTemplate', 'removeTemplate'] as const satisfies readonly (keyof VC)[];
type HostCall = (typeof HOST_CALLS)[number];
/** Every call the engine runs on a pod: the VC calls and the two setters of the handles. */
export type CallName = Exclude<keyof VC, HostCall> | Extract<keyof VCPod | keyof VCContainer, 'setAnnotations' | 'setPid'>;

/** What a call needs, checked in this order; an absent field checks nothing. */
export interface Precondition {
  /** Ends the refusal: "impossible to <does>". */
  readonly does?: string;
  /** A container already in this state makes the call a success that does nothing, whatever the pod's state. */
  readonly doneIn?: State;
  readonly pod?: readonly State[];
  /** The call names an existing container (so CONTAINER_NOT_FOUND comes first), in one of these states. */
  readonly container?: readonly State[];
  /** The pod states the named container needs when it is in a given state. */
  readonly podWhenContainer?: Partial<Record<State, readonly State[]>>;
  /** Every container of the pod must be in one of these states. */
  readonly everyContainer?: readonly State[];
}

const FREE: Precondition = {};
const READY_OR_RUNNING = ['ready', 'running'] as const;

/**
 * Upstream's table (virtcontainers api.go/pod.go/container.go) with the deliberate differences of
 * docs/differences.md: PausePod/ResumePod and CreateContainer check the pod's state, since the
 * guest must answer; a `ready` container is removed from the guest on delete, so the pod must be
 * `ready` or `running`; attaching needs the proxy of a running pod.
 */
export const PRECONDITIONS = {
  createPod: FREE,
  runPod: FREE,
  listPod: FREE,
  fetchPod: FREE,
  statusPod: FREE,
  setAnnotations: FREE,
  recordPodEvent: FREE,
  listPodEvents: FREE,
  startPod: { does: 'start the pod', pod: ['ready', 'stopped'] },
  stopPod: { does: 'stop the pod', pod: ['ready', 'running', 'paused'] },
  deletePod: { does: 'delete the pod', pod: ['ready', 'stopped', 'paused'], everyContainer: ['ready', 'stopped'] },
  pausePod: { does: 'pause the pod', pod: ['running'] },
  resumePod: { does: 'resume the pod', pod: ['paused'] },

  statusContainer: FREE,
  setPid: FREE,
  createContainer: { does: 'create a container', pod: READY_OR_RUNNING },
  startContainer: { does: 'start the container', pod: ['running'], container: ['ready', 'stopped'] },
  stopContainer: { does: 'stop the container', doneIn: 'stopped', pod: READY_OR_RUNNING, container: ['ready', 'running', 'paused'] },
  deleteContainer: { does: 'delete the container', container: ['ready', 'stopped'], podWhenContainer: { ready: READY_OR_RUNNING } },
  killContainer: { does: 'signal the container', pod: READY_OR_RUNNING, container: READY_OR_RUNNING },
  enterContainer: { does: 'enter the container', pod: ['running'], container: ['running'] },
  processListContainer: { does: 'list the processes', pod: ['running'], container: ['running'] },
  attachProcess: { does: 'attach to a process', pod: ['running'] },
  podGuestStats: { does: 'read guest statistics', pod: ['running'] },
} as const satisfies Record<CallName, Precondition>;

export interface Subject {
  readonly id: string;
  readonly state: State;
}
/** What a call is judged on: its pod, the container it names (if any), and all the pod's containers. */
export interface Situation {
  pod: Subject;
  container?: Subject;
  containers?: readonly Subject[];
}
export type Verdict = { go: 'act' } | { go: 'done' } | { go: 'refuse'; kind: 'pod' | 'container'; who: Subject; allowed: readonly State[] };

export function verdict(call: CallName, at: Situation): Verdict {
  const rule: Precondition = PRECONDITIONS[call];
  const { pod, container } = at;
  if (container && rule.doneIn === container.state) return { go: 'done' };
  const refuse = (kind: 'pod' | 'container', who: Subject, allowed: readonly State[]): Verdict => ({ go: 'refuse', kind, who, allowed });
  if (rule.pod && !rule.pod.includes(pod.state)) return refuse('pod', pod, rule.pod);
  if (container && rule.container && !rule.container.includes(container.state)) return refuse('container', container, rule.container);
  const podNeeds = container && rule.podWhenContainer?.[container.state];
  if (podNeeds && !podNeeds.includes(pod.state)) return refuse('pod', pod, podNeeds);
  const every = rule.everyContainer;
  const stuck = every && at.containers?.find((c) => !every.includes(c.state));
  return stuck ? refuse('container', stuck, every) : { go: 'act' };
}

/** Whether the skeleton must look the named container up before judging the call. */
export const namesContainer = (call: CallName): boolean => (PRECONDITIONS[call] as Precondition).container !== undefined;

/** The engine's side: throws INVALID_STATE if refused; the message of a call with nothing to do, else null. */
export function admit(call: CallName, at: Situation): string | null {
  const v = verdict(call, at);
  if (v.go === 'act') return null;
  if (v.go === 'done') return `container already ${at.container!.state}`;
  const { kind, who, allowed } = v;
  const does = (PRECONDITIONS[call] as Precondition).does ?? call;
  throw new EngineError(
    'INVALID_STATE',
    `${kind === 'pod' ? 'Pod' : 'Container'} "${who.id}" is ${who.state}, not ${allowed.join(' or ')}: impossible to ${does}`,
    { kind, id: who.id, state: who.state, allowed: [...allowed] },
  );
}
