// A hypervisor driver boots, pauses, resumes and stops one pod's VM.
import type { HypervisorDefaults } from '../../effective-config.js';
import type { VmInfo } from '../../types.js';
import type { BlockSource, PluggedBlock, VmEndpoints, VmLaunchPlan } from '../devices.js';
import type { DriverState, PodContext } from '../types.js';
import type { VmTemplates } from '../../templates/types.js';

/** `{ dead: why }`: the VM cannot go on although QEMU may still run (teardown stops it), and why. */
export type VmLiveness = 'running' | 'paused' | 'dead' | { dead: string };

/**
 * Block hotplug into a running VM (storage): a small capability of its own, so that the agent
 * driver can be handed it without seeing the rest of the hypervisor.
 */
export interface BlockHotplug {
  /** Plugs the file or device into the pod's running VM, on a free bridge slot (or SCSI LUN). */
  plugBlock(pod: PodContext, source: BlockSource): Promise<PluggedBlock>;
  /** Unplugs it and waits until the VM let it go. Idempotent: a device or VM already gone is no error. */
  unplugBlock(pod: PodContext, block: PluggedBlock): Promise<void>;
}

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
  /**
   * Optional, before launch: where the plan's socket-backed serial ports will listen once the VM
   * runs (the `serialPorts` startVm, or a clone, will return), so an agent can start its host side
   * while the VM launches (Agent.prelaunch).
   */
  plannedSerialSockets?(pod: PodContext, plan: VmLaunchPlan): Record<string, string>;
  /** Absent: the driver cannot plug disks, and a config that needs it is refused NOT_SUPPORTED. */
  blockHotplug?: BlockHotplug;
  /** What the driver uses where the config says nothing (effective-config.ts turns it into what `pod status` shows). */
  defaults(pod: PodContext): HypervisorDefaults;
  /** Present when this hypervisor can clone VMs from templates (templates/types.ts). */
  templates?: VmTemplates;
}
