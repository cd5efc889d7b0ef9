// Which driver types work together: one table, read by the engine before anything boots
// (registry.ts checkDriverCombination) and by the console's create form, which offers only what
// the table and the registry allow. Framework- and node-free so the browser bundle can import it.
import type { PodConfig } from '../types.js';

export type DriverField = 'hypervisorType' | 'agentType' | 'proxyType' | 'shimType' | 'networkModel';
type Is = { [F in DriverField]: readonly [F, PodConfig[F]] }[DriverField];
type OneOf = { [F in DriverField]: readonly [F, readonly PodConfig[F][]] }[DriverField];
export interface DriverRule {
  if: Is;
  then: OneOf;
  because: string;
}

/** When `if` holds, `then`'s field must take one of its values; `because` says what breaks otherwise. */
export const DRIVER_COMBINATIONS: readonly DriverRule[] = [
  { if: ['agentType', 'kata'], then: ['hypervisorType', ['qemu']], because: 'the kata agent runs inside the VM, behind the serial port only QEMU provides' },
  { if: ['agentType', 'kata'], then: ['proxyType', ['kataProxy', 'noProxy']], because: 'the host reaches the kata agent through its proxy or directly over the serial port' },
  { if: ['agentType', 'kata'], then: ['shimType', ['kataShim']], because: "a container's PID must be a host process that lives and dies with the guest process" },
  { if: ['agentType', 'hyperstart'], then: ['hypervisorType', ['qemu']], because: 'the hyperstart agent runs inside the VM, behind the two serial ports only QEMU provides' },
  {
    if: ['agentType', 'hyperstart'],
    then: ['proxyType', ['ccProxy', 'noProxy']],
    because: "hyperstart pushes every process's output and exit code on its stream channel: the ccProxy holds it, or without a proxy QEMU writes it to a file (kataProxy speaks another protocol)",
  },
  { if: ['agentType', 'hyperstart'], then: ['shimType', ['ccShim']], because: "a hyperstart process's I/O is reached by its token, through the ccProxy or the stream port's file, which only a ccShim does" },
  { if: ['agentType', 'noop'], then: ['proxyType', ['noopProxy']], because: 'the noop agent never starts a proxy' },
  { if: ['agentType', 'noop'], then: ['shimType', ['noopShim']], because: 'the kata shim connects to a proxy, which the noop agent never starts' },
];

/** The first rule `config` breaks, or null. */
export function brokenRule(config: Pick<PodConfig, DriverField>, rules: readonly DriverRule[] = DRIVER_COMBINATIONS): DriverRule | null {
  return rules.find(({ if: [field, value], then: [other, allowed] }) => config[field] === value && !(allowed as readonly string[]).includes(config[other])) ?? null;
}

/**
 * The types the registry has a driver for, written out here because the browser cannot import the
 * registry (it pulls in every driver); test/unit/driver-combinations.test.ts keeps them equal.
 */
export const IMPLEMENTED_TYPES: Record<DriverField, readonly string[]> = {
  hypervisorType: ['mock', 'qemu'],
  agentType: ['noop', 'kata', 'hyperstart'],
  proxyType: ['noopProxy', 'kataProxy', 'noProxy', 'ccProxy'],
  shimType: ['noopShim', 'kataShim', 'ccShim'],
  networkModel: ['noop', 'CNI', 'CNM'],
};

/** The order the form asks in: a choice is judged against the choices above it only. */
const ORDER: DriverField[] = ['hypervisorType', 'agentType', 'proxyType', 'shimType', 'networkModel'];

/** The values of `field` to offer, given the choices above it: implemented, and breaking no rule tying it to an earlier field. */
export function offeredValues<F extends DriverField>(field: F, candidates: readonly PodConfig[F][], config: Pick<PodConfig, DriverField>, implemented: readonly string[] = IMPLEMENTED_TYPES[field]): PodConfig[F][] {
  const earlier = new Set(ORDER.slice(0, ORDER.indexOf(field) + 1));
  const relevant = DRIVER_COMBINATIONS.filter((r) => (r.if[0] === field || r.then[0] === field) && earlier.has(r.if[0]) && earlier.has(r.then[0]));
  return candidates.filter((v) => implemented.includes(v) && !brokenRule({ ...config, [field]: v }, relevant));
}
