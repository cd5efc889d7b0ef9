// What the qemu driver persists about a running VM, parsed back with zod on every call: a record
// from an older build or a damaged one reads as "no VM" instead of crashing a status call.
import { z } from 'zod';
import { SharedFsSchema, VmBootSchema, VmEndpointsSchema } from '../../devices.js';
import type { DriverState } from '../../types.js';
import { VirtiofsdStateSchema } from './virtiofsd.js';

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
  /** The pod's transport; records from before virtio-fs shared over 9p. */
  sharedFs: SharedFsSchema.default('virtio-9p'),
  /** One per virtio-fs share, reaped with the VM. */
  virtiofsd: z.array(VirtiofsdStateSchema).default([]),
  /** How the VM came up (templates/types.ts): records from before templating were cold boots. */
  boot: VmBootSchema.default({ mode: 'cold', template: null, reason: null, agent: null, stages: [] }),
});
export type QemuState = z.infer<typeof QemuStateSchema>;

export function qemuStateOf(state: DriverState): QemuState | null {
  const parsed = QemuStateSchema.safeParse(state);
  return parsed.success ? parsed.data : null;
}
