// A network driver gives the pod a network namespace and the endpoints the VM is connected to.
import type { DriverState, PodContext } from '../types.js';

export interface Network {
  /** Creates or joins the pod's network namespace; returns state to persist (netns path, created-by-us). */
  add(pod: PodContext): Promise<DriverState>;
  /** Tears down what add created. Idempotent. */
  remove(pod: PodContext): Promise<void>;
}
