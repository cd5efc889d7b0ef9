// What the kata agent driver keeps with each container record, parsed back with zod: a record from
// an older build (or a damaged one) reads as "nothing started" instead of a NaN PID.
import { z } from 'zod';
import type { DriverState } from '../types.js';

const KataContainerStateSchema = z.object({
  /** The init's PID inside the guest. */
  guestPid: z.number().int().nonnegative().catch(0).default(0),
  /** The init's shim on the host: the container's PID, as upstream. */
  shimPid: z.number().int().nonnegative().catch(0).default(0),
});

export function kataContainerStateOf(state: DriverState): z.infer<typeof KataContainerStateSchema> {
  return KataContainerStateSchema.parse(state);
}
