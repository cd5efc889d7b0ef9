// What the qemu driver persists about a running VM, parsed back with zod on every call: a record
// from an older build or a damaged one reads as "no VM" instead of crashing a status call.
import { z } from 'zod';
import { VmEndpointsSchema } from '../../devices.js';
import type { DriverState } from '../../types.js';

export const QemuStateSchema = z.object({
  pid: z.number().int().positive(),
  uuid: z.string(),
  accelerator: z.enum(['kvm', 'tcg']),
  qmpSocket: z.string(),
  consoleSocket: z.string(),
  consoleLog: z.string(),
  qemuLog: z.string(),
  /** The netns QEMU was started in ('' for the engine's own). */
  netNsPath: z.string().default(''),
  endpoints: VmEndpointsSchema,
});
export type QemuState = z.infer<typeof QemuStateSchema>;

export function qemuStateOf(state: DriverState): QemuState | null {
  const parsed = QemuStateSchema.safeParse(state);
  return parsed.success ? parsed.data : null;
}
