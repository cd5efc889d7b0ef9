// A shim is the host-side stand-in for one container process: its PID is the container's PID.
import type { PodContext } from '../types.js';

export interface ShimParams {
  containerId: string;
  token: string;
  /** The URL the shim talks through: the proxy's, or the agent's own when `direct`. */
  url: string;
  /** No proxy process between (noProxy): the shim must reach the agent itself. */
  direct: boolean;
  /**
   * hyperstart without a proxy: the stream port's file (output, exit codes) and FIFO (stdin) the
   * shim reads and writes itself, and the process's id in the guest (for WINSIZE).
   */
  hyperStreams?: { output: string; input: string; process: string };
}

export interface Shim {
  /** Starts the shim of one process; resolves with its host PID. */
  start(pod: PodContext, params: ShimParams): Promise<number>;
  /** Ends the shim `pid` of that process if it is still there (it exits by itself with the process). */
  stop(pod: PodContext, pid: number, params: Omit<ShimParams, 'url' | 'direct'>): Promise<void>;
  /** Ends every shim still talking through `url` (the pod is going away). */
  stopAll(pod: PodContext, url: string): Promise<void>;
}
