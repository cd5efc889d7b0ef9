// VM templating as a hypervisor capability: a template VM per distinct launch (kernel, initrd,
// image, vCPUs, memory, machine, device layout) is booted once until its agent listens, paused and
// its device state saved; a pod's VM is then a clone that maps the template's RAM copy-on-write and
// restores that state instead of booting. The engine (boot.ts) picks clone or cold boot; a
// hypervisor that can clone offers this interface, one that cannot simply has none.
import type { VmEndpoints, VmLaunchPlan } from '../drivers/devices.js';
import type { DriverState, PodContext } from '../drivers/types.js';

export interface TemplateInfo {
  /** Hash of everything that must match between a template and its clones. */
  key: string;
  /** RAM file plus saved device state, in bytes actually allocated. */
  sizeBytes: number;
  createdAt: string;
  /** Live VMs mapping its RAM. */
  clones: number;
  /** What went into the key, for humans: vcpus, memoryMiB, machine, devices, asset paths. */
  inputs: Record<string, string | number>;
  /** How long the agent's warm-up (Agent.warmTemplate) ran before the state was saved; null: none ran. */
  warmUpMs: number | null;
}

export type TemplateWarmUp = (vm: VmEndpoints) => Promise<void>;

/** Whether a pod's VM can be a clone, and of which template. */
export type TemplateFit = { ok: true; key: string } | { ok: false; reason: string };

export interface VmTemplates {
  fit(pod: PodContext, plan: VmLaunchPlan): Promise<TemplateFit>;
  /**
   * Builds the template unless it exists; returns how long the build took (0 when it existed).
   * `warm` (the agent's warmTemplate) runs once the template's agent listens, before it is saved.
   */
  ensure(pod: PodContext, plan: VmLaunchPlan, key: string, warm?: TemplateWarmUp): Promise<{ builtMs: number }>;
  /** Like Hypervisor.startVm, from the template; leaves nothing behind when it throws. */
  clone(pod: PodContext, plan: VmLaunchPlan, key: string): Promise<{ state: DriverState; endpoints: VmEndpoints }>;
  list(): Promise<TemplateInfo[]>;
  /** INVALID_STATE while a clone maps it; INVALID_ARGUMENT for an unknown key. */
  remove(key: string): Promise<void>;
}

/** Engine option: `enabled` defaults to on unless PODVISOR_TEMPLATES=off; `dir` next to the run root. */
export interface TemplateSettings {
  enabled: boolean;
  dir: string;
}

/** Not under the run root: doctor removes any directory there that no pod owns. */
export function templateSettings(runRoot: string, option?: Partial<TemplateSettings>): TemplateSettings {
  const envOff = (process.env['PODVISOR_TEMPLATES'] ?? '').toLowerCase() === 'off';
  return { enabled: option?.enabled ?? !envOff, dir: option?.dir ?? `${runRoot.replace(/\/+$/, '')}-templates` };
}
