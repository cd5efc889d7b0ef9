// A shim is the host-side stand-in for one container process: its PID is the container's PID.
import type { PodContext } from '../types.js';

export interface ShimParams {
  containerId: string;
  token: string;
  /** The proxy URL the shim talks through. */
  url: string;
}

export interface Shim {
  start(pod: PodContext, params: ShimParams): Promise<number>;
}
