// For tests and benchmarks that boot a VM through the hypervisor driver alone (no agent driver):
// the devices the kata agent driver would contribute, so the guest finds its channel and share.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { VmLaunchPlan } from '../../engine/drivers/devices.js';
import { AGENT_PORT_NAME } from '../../engine/drivers/agent/kata.js';
import { volumeShares } from '../../engine/drivers/agent/kata-mounts.js';
import type { Volume } from '../../engine/types.js';

/** `volumes` (a dev share, test data) are contributed as the kata agent driver contributes a pod's. */
export function kataLaunchPlan(runDir: string, volumes: Volume[] = []): VmLaunchPlan {
  const shared = join(runDir, 'shared');
  mkdirSync(shared, { recursive: true });
  const devices: VmLaunchPlan['devices'] = [{ kind: 'serialPort', name: AGENT_PORT_NAME }, { kind: 'share', tag: 'kataShared', hostPath: shared, readOnly: false }];
  return { netNsPath: '', devices: [...devices, ...volumeShares(volumes)] };
}

/** The host socket of the agent's port in a VM booted with kataLaunchPlan. */
export const agentSocketIn = (runDir: string) => join(runDir, `${AGENT_PORT_NAME}.sock`);
