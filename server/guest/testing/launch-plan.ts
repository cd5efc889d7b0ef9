// For tests and benchmarks that boot a VM through the hypervisor driver alone (no agent driver):
// the devices the kata agent driver would contribute, so the guest finds its channel and share.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { VmLaunchPlan } from '../../engine/drivers/devices.js';
import { AGENT_PORT_NAME } from '../../engine/drivers/agent/kata.js';

export function kataLaunchPlan(runDir: string): VmLaunchPlan {
  const shared = join(runDir, 'shared');
  mkdirSync(shared, { recursive: true });
  return { netNsPath: '', devices: [{ kind: 'serialPort', name: AGENT_PORT_NAME }, { kind: 'share', tag: 'kataShared', hostPath: shared, readOnly: false }] };
}

/** The host socket of the agent's port in a VM booted with kataLaunchPlan. */
export const agentSocketIn = (runDir: string) => join(runDir, `${AGENT_PORT_NAME}.sock`);
