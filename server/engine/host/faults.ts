// Test-only fault injection: a plan of steps at which a fake host fails the call or kills the
// process it runs in. Only the fake host (fake.ts) reads it; the Linux host has no checkpoints.
// A step fails with the code a real failure of that step would carry, so callers see the same.
import { EngineError, type ErrorCode } from '../errors.js';

/** `step:action[,step:action…]`, e.g. `agent.startSandbox:die` or `agent.createContainer:c1:fail`. */
export const FAULT_ENV = 'PODVISOR_FAULT';

export type FaultAction = 'fail' | 'die';
export type FaultPlan = Map<string, FaultAction>;

const CODE_OF_KIND: Record<string, ErrorCode> = {
  network: 'NETWORK_FAILED',
  hooks: 'HOOK_FAILED',
  hypervisor: 'HYPERVISOR_FAILED',
  agent: 'AGENT_FAILED',
  shim: 'AGENT_FAILED',
  store: 'STORE_FAILED',
};

/** Step names contain ':' themselves (`agent.startContainer:c1`): the action is after the last one. */
export function parseFaults(spec: string | undefined): FaultPlan {
  const plan: FaultPlan = new Map();
  for (const entry of (spec ?? '').split(',').map((e) => e.trim()).filter(Boolean)) {
    const at = entry.lastIndexOf(':');
    const action = entry.slice(at + 1);
    if (at <= 0 || (action !== 'fail' && action !== 'die')) throw new Error(`${FAULT_ENV}: "${entry}" is not step:fail or step:die`);
    plan.set(entry.slice(0, at), action);
  }
  return plan;
}

export function injectedFailure(step: string): EngineError {
  const code = CODE_OF_KIND[step.split('.')[0]!] ?? 'INTERNAL';
  return new EngineError(code, `injected fault at ${step}`, { step, injected: true });
}

/** What a crash looks like from outside: no finally blocks, no lock release, no exit handlers. */
export async function die(): Promise<never> {
  process.kill(process.pid, 'SIGKILL');
  return new Promise<never>(() => {});
}
