// A hypervisor driver boots, pauses, resumes and stops one pod's VM.
import type { HypervisorDefaults } from '../../effective-config.js';
import type { VmInfo } from '../../types.js';
import type { VmEndpoints, VmLaunchPlan } from '../devices.js';
import type { DriverState, PodContext } from '../types.js';
import type { VmTemplates } from '../../templates/types.js';

export type VmLiveness = 'running' | 'paused' | 'dead';

export interface Hypervisor {
  /**
   * Boots the VM with the devices other drivers contributed, in `plan.netNsPath`, and resolves once
   * it is reachable; returns the state to persist (PID, sockets, accelerator) and the endpoints of
   * those devices. Must leave no process or file behind when it throws.
   */
  startVm(pod: PodContext, plan: VmLaunchPlan): Promise<{ state: DriverState; endpoints: VmEndpoints }>;
  /** Stops the VM and reaps it. Idempotent: a VM that is already gone is not an error. */
  stopVm(pod: PodContext): Promise<void>;
  pauseVm(pod: PodContext): Promise<void>;
  resumeVm(pod: PodContext): Promise<void>;
  /** Cheap liveness check used by status calls to notice a VM that died behind our back. */
  check(pod: PodContext): Promise<VmLiveness>;
  /** What the console and `pod status` show about the VM; null when none runs. */
  info(pod: PodContext): VmInfo | null;
  /** The endpoints startVm returned, from the persisted state; null when no VM runs. */
  endpoints(pod: PodContext): VmEndpoints | null;
  /** Present when this hypervisor can clone VMs from templates (templates/types.ts). */
  templates?: VmTemplates;
  /** What the driver uses where the config says nothing (effective-config.ts turns it into what `pod status` shows). */
  defaults(pod: PodContext): HypervisorDefaults;
}
