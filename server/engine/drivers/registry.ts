// Picks the driver of each kind from the type names in a PodConfig. Adding a driver means adding
// its file next to its kind's types.ts and one line here.
import { EngineError } from '../errors.js';
import { linuxHost } from '../host/linux.js';
import type { Host } from '../host/types.js';
import type { TemplateSettings } from '../templates/types.js';
import type { AgentType, HypervisorType, NetworkModel, PodConfig, ProxyType, ShimType } from '../types.js';
import { brokenRule, DRIVER_COMBINATIONS, type DriverField } from './combinations.js';
import { createHyperstartAgent } from './agent/hyperstart.js';
import { createKataAgent } from './agent/kata.js';
import { createNoopAgent } from './agent/noop.js';
import type { Agent } from './agent/types.js';
import { createMockHypervisor } from './hypervisor/mock.js';
import { createQemuHypervisor } from './hypervisor/qemu/index.js';
import type { BlockHotplug, Hypervisor } from './hypervisor/types.js';
import { createCniNetwork, createCnmNetwork } from './network/driver.js';
import { createNoopNetwork } from './network/noop.js';
import type { Network } from './network/types.js';
import { createCcProxy } from './proxy/cc.js';
import { createKataProxy } from './proxy/kata.js';
import { createNoProxy } from './proxy/no.js';
import { createNoopProxy } from './proxy/noop.js';
import type { Proxy } from './proxy/types.js';
import { createCcShim } from './shim/cc.js';
import { createKataShim } from './shim/kata.js';
import { createNoopShim } from './shim/noop.js';
import type { Shim } from './shim/types.js';

export interface Drivers {
  hypervisor: Hypervisor;
  agent: Agent;
  network: Network;
  /** What all of them touch the machine through; the engine's own host steps use it too. */
  host: Host;
}

/** Everything a driver factory may need from the engine's configuration. */
export interface DriverEnv {
  /** Root for per-pod run directories. */
  runRoot: string;
  /** The host seam; the real Linux host when absent (drivers used outside an engine). */
  host?: Host;
  /** VM templating (templates/types.ts); on, next to the run root, when absent. */
  templates?: TemplateSettings;
}

type HostedEnv = DriverEnv & { host: Host };

type Factories = {
  hypervisor: Partial<Record<HypervisorType, (env: HostedEnv) => Hypervisor>>;
  /** `hotplug`: the pod's hypervisor's block hotplug, when it has one (the agent plugs a container's disks). */
  agent: Partial<Record<AgentType, (env: HostedEnv, proxy: Proxy, shim: Shim, hotplug: BlockHotplug | undefined) => Agent>>;
  proxy: Partial<Record<ProxyType, (env: HostedEnv) => Proxy>>;
  shim: Partial<Record<ShimType, (env: HostedEnv) => Shim>>;
  network: Partial<Record<NetworkModel, (env: HostedEnv) => Network>>;
};

export const FACTORIES: Factories = {
  hypervisor: { mock: () => createMockHypervisor(), qemu: (env) => createQemuHypervisor(env) },
  agent: { noop: (_env, _proxy, shim, hotplug) => createNoopAgent(shim, hotplug), kata: (env, proxy, shim, hotplug) => createKataAgent(env, proxy, shim, hotplug), hyperstart: (env, proxy, shim, hotplug) => createHyperstartAgent(env, proxy, shim, hotplug) },
  proxy: { noopProxy: () => createNoopProxy(), kataProxy: (env) => createKataProxy(env.host), noProxy: () => createNoProxy(), ccProxy: (env) => createCcProxy(env.runRoot, env.host) },
  shim: { noopShim: () => createNoopShim(), kataShim: (env) => createKataShim(env.host), ccShim: (env) => createCcShim(env.host) },
  network: { noop: () => createNoopNetwork(), CNI: (env) => createCniNetwork({ host: env.host }), CNM: (env) => createCnmNetwork({ host: env.host }) },
};

function pick<K extends keyof Factories>(kind: K, type: string): NonNullable<Factories[K][keyof Factories[K]]> {
  const factory = (FACTORIES[kind] as Record<string, unknown>)[type];
  if (!factory) {
    const known = Object.keys(FACTORIES[kind]).join(', ');
    throw new EngineError('NOT_SUPPORTED', `${kind} type "${type}" is not implemented by Podvisor (available: ${known})`, { kind, type });
  }
  return factory as NonNullable<Factories[K][keyof Factories[K]]>;
}

/** Throws NOT_SUPPORTED, naming the field, for any type the registry has no driver for. */
export function driversFor(config: PodConfig, driverEnv: DriverEnv): Drivers {
  const env = { ...driverEnv, host: driverEnv.host ?? linuxHost };
  const proxy = pick('proxy', config.proxyType)(env);
  const shim = pick('shim', config.shimType)(env);
  const hypervisor = pick('hypervisor', config.hypervisorType)(env);
  return {
    hypervisor,
    agent: pick('agent', config.agentType)(env, proxy, shim, hypervisor.blockHotplug),
    network: pick('network', config.networkModel)(env),
    host: env.host,
  };
}

// Driver combinations: a pair that cannot work is refused before anything boots, instead of
// failing (or half-working) after the VM started. Stored pods are not re-checked, so an old
// record with a bad pair can still be stopped and deleted.
const FIELD_OF: Record<keyof Factories, DriverField> = { hypervisor: 'hypervisorType', agent: 'agentType', proxy: 'proxyType', shim: 'shimType', network: 'networkModel' };
export { DRIVER_COMBINATIONS };

/** NOT_SUPPORTED for a type without a driver, then INVALID_CONFIG naming both fields of a pair that cannot work. */
export function checkDriverCombination(config: PodConfig): void {
  for (const [kind, field] of Object.entries(FIELD_OF) as [keyof Factories, DriverField][]) pick(kind, config[field]);
  const broken = brokenRule(config);
  if (broken) {
    const { if: [field, value], then: [other, allowed], because } = broken;
    const message = `${field} "${value}" needs ${other} ${allowed.map((a) => `"${a}"`).join(' or ')}, not "${config[other]}": ${because}`;
    throw new EngineError('INVALID_CONFIG', message, { fields: [field, other], issues: [{ path: [other], message }] });
  }
}
