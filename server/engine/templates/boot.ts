// The boot step that picks clone or cold boot (vm.ts calls it). A pod's VM is a clone when the
// hypervisor offers templates, the agent can give a clone its own identity, and the launch fits a
// template; a template is built on first need. Any failure on the way falls back to a cold boot,
// and the reason is on the pod's timeline (the cold boot's step name) and in `pod status`.
import type { VmEndpoints, VmLaunchPlan } from '../drivers/devices.js';
import type { DriverState } from '../drivers/types.js';
import type { PodSession } from '../session.js';

/**
 * Agents that re-identify a restored guest at sandbox creation (hostname, clock, random seed) and
 * mount its shares only then. The hyperstart agent does not yet: its pods boot cold.
 */
const CLONE_AWARE_AGENTS = new Set(['kata']);

export async function launchVm(s: PodSession, plan: VmLaunchPlan): Promise<{ state: DriverState; endpoints: VmEndpoints }> {
  const { hypervisor } = s.drivers;
  let reason: string;
  if (!hypervisor.templates) reason = `hypervisor ${s.pod.config.hypervisorType} has no templates`;
  else if (!CLONE_AWARE_AGENTS.has(s.pod.config.agentType)) reason = `agent ${s.pod.config.agentType} cannot re-identify a clone`;
  else {
    const templates = hypervisor.templates;
    // A config error shows up here first; the cold boot below reports it as it always did.
    const fit = await templates.fit(s.context(), plan).catch((err: Error) => ({ ok: false as const, reason: `no template: ${err.message.split('\n')[0]}` }));
    if (!fit.ok) reason = fit.reason;
    else {
      try {
        await s.step(`hypervisor.buildTemplate:${fit.key}`, () => templates.ensure(s.context(), plan, fit.key, s.drivers.agent.warmTemplate?.bind(s.drivers.agent)));
        return await s.step(`hypervisor.cloneVm:${fit.key}`, () => templates.clone(s.context(), plan, fit.key));
      } catch (err) {
        reason = `clone failed: ${(err as Error).message.split('\n')[0]}`;
        s.log.warn({ err }, 'cloning the VM failed: cold boot');
        return s.step(`hypervisor.coldBoot:${reason}`, () => hypervisor.startVm(s.context(), { ...plan, coldReason: reason }));
      }
    }
  }
  return s.step('hypervisor.startVm', () => hypervisor.startVm(s.context(), { ...plan, coldReason: reason }));
}
