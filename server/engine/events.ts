// Pod events: the timeline of every API call's outcome and every state change.
import type { ErrorCode } from './errors.js';
import type { State } from './types.js';

export interface NewPodEvent {
  podId: string;
  call: string;
  containerId: string | null;
  outcome: 'ok' | 'error';
  errorCode: ErrorCode | null;
  message: string;
  fromState: State | null;
  toState: State | null;
}

export interface PodEvent extends NewPodEvent {
  id: number;
  time: string;
}
