// The pod form as plain values and its pure mapping to the engine's PodConfig, validated by the shared
// PodConfigSchema. Defaults boot a working QEMU pod with the kata agent on this machine in one click.
import { PodConfigSchema, type Hook, type PodConfigInput } from '../../server/engine/types';
import { defaultContainerValues, toContainerConfig, type ContainerFormValues, type Validation } from './container-form-model';
import { fieldErrorsOfZod, type FieldErrors } from './field-errors';
import { defaultNetworkValues, networkConfigOf, networkErrors, portsAnnotationOf, type NetworkFormValues } from './pod-network-model';
import { volumeOf, type VolumeRow } from './storage-rows';
import { keyValueLines, keyValueRecord, lines, optionalNumber, splitWords } from './text-parsers';

export const HYPERVISOR_TEXT_FIELDS = ['kernelPath', 'initrdPath', 'imagePath', 'firmwarePath', 'hypervisorPath', 'machineAccelerators'] as const;
export const HYPERVISOR_NUMBER_FIELDS = ['defaultVcpus', 'defaultMaxVcpus', 'defaultMemSz', 'defaultBridges'] as const;
export const HYPERVISOR_FLAGS = ['debug', 'memPrealloc', 'hugePages', 'realtime', 'mlock', 'disableNestingChecks', 'disableBlockDeviceUse'] as const;
export const HOOK_KINDS = ['preStartHooks', 'postStartHooks', 'postStopHooks'] as const;
export const DRIVER_CONFIGS = ['agentConfig', 'proxyConfig', 'shimConfig'] as const;

type HypervisorValues = Record<(typeof HYPERVISOR_TEXT_FIELDS)[number] | (typeof HYPERVISOR_NUMBER_FIELDS)[number], string> &
  Record<(typeof HYPERVISOR_FLAGS)[number], boolean> & {
    /** key=value lines. */
    kernelParams: string;
    hypervisorParams: string;
    hypervisorMachineType: string;
    blockDeviceDriver: string;
  };

export interface PodFormValues {
  id: string;
  hostname: string;
  hypervisorType: string;
  agentType: string;
  proxyType: string;
  shimType: string;
  networkModel: string;
  vcpus: string;
  /** MiB. */
  memory: string;
  hypervisor: HypervisorValues;
  network: NetworkFormValues;
  /** JSON objects; empty means {}. */
  driverConfigs: Record<(typeof DRIVER_CONFIGS)[number], string>;
  volumes: VolumeRow[];
  annotations: string;
  /** `[timeout=N] [VAR=value…] /path args…` lines. */
  hooks: Record<(typeof HOOK_KINDS)[number], string>;
  containers: ContainerFormValues[];
}

export function defaultPodValues(rootFs: string): PodFormValues {
  return {
    id: '',
    hostname: '',
    hypervisorType: 'qemu',
    agentType: 'kata',
    proxyType: 'kataProxy',
    shimType: 'kataShim',
    networkModel: 'noop',
    vcpus: '1',
    memory: '256',
    hypervisor: {
      kernelPath: '', initrdPath: '', imagePath: '', firmwarePath: '', hypervisorPath: '', machineAccelerators: '',
      defaultVcpus: '', defaultMaxVcpus: '', defaultMemSz: '', defaultBridges: '',
      debug: false, memPrealloc: false, hugePages: false, realtime: false, mlock: false, disableNestingChecks: false, disableBlockDeviceUse: false,
      kernelParams: '', hypervisorParams: '', hypervisorMachineType: '', blockDeviceDriver: '',
    },
    network: defaultNetworkValues(),
    driverConfigs: { agentConfig: '', proxyConfig: '', shimConfig: '' },
    volumes: [],
    annotations: '',
    hooks: { preStartHooks: '', postStartHooks: '', postStopHooks: '' },
    containers: [defaultContainerValues(rootFs)],
  };
}

export function hookOf(line: string): Partial<Hook> {
  const words = splitWords(line);
  let timeout: number | undefined;
  const env: string[] = [];
  while (words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!)) {
    const word = words.shift()!;
    if (word.startsWith('timeout=')) timeout = Number(word.slice('timeout='.length));
    else env.push(word);
  }
  // As a shell runs it: the program gets its path as argv[0] (OCI's args[0]) and the rest as arguments.
  const [path = ''] = words;
  return { path, args: words, env, ...(timeout === undefined ? {} : { timeout }) };
}

const params = (text: string) => keyValueLines(text).map(([key, value]) => ({ key, value }));

/** Driver configs are free-form JSON objects: parse them here, reporting a field error when they are not. */
function driverConfigsOf(values: PodFormValues['driverConfigs']): { configs: Record<string, unknown>; errors: FieldErrors } {
  const configs: Record<string, unknown> = {};
  const errors: FieldErrors = {};
  for (const name of DRIVER_CONFIGS) {
    const text = values[name].trim();
    try {
      const parsed: unknown = text === '' ? {} : JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      configs[name] = parsed;
    } catch {
      errors[name] = 'must be a JSON object such as {"key": "value"}';
    }
  }
  return { configs, errors };
}

export function toPodConfig(v: PodFormValues): PodConfigInput {
  const h = v.hypervisor;
  return {
    id: v.id.trim(),
    hostname: v.hostname.trim(),
    hypervisorType: v.hypervisorType as PodConfigInput['hypervisorType'],
    agentType: v.agentType as PodConfigInput['agentType'],
    proxyType: v.proxyType as PodConfigInput['proxyType'],
    shimType: v.shimType as PodConfigInput['shimType'],
    networkModel: v.networkModel as PodConfigInput['networkModel'],
    vmConfig: { vcpus: optionalNumber(v.vcpus), memory: optionalNumber(v.memory) },
    hypervisorConfig: {
      ...Object.fromEntries(HYPERVISOR_TEXT_FIELDS.map((f) => [f, h[f].trim()])),
      ...Object.fromEntries(HYPERVISOR_NUMBER_FIELDS.map((f) => [f, optionalNumber(h[f])])),
      ...Object.fromEntries(HYPERVISOR_FLAGS.map((f) => [f, h[f]])),
      kernelParams: params(h.kernelParams),
      hypervisorParams: params(h.hypervisorParams),
      hypervisorMachineType: h.hypervisorMachineType as 'pc',
      blockDeviceDriver: h.blockDeviceDriver as 'virtio-blk',
    },
    networkConfig: networkConfigOf(v.networkModel, v.network),
    ...driverConfigsOf(v.driverConfigs).configs,
    volumes: v.volumes.map(volumeOf),
    annotations: { ...keyValueRecord(v.annotations), ...portsAnnotationOf(v.networkModel, v.network) },
    hooks: Object.fromEntries(HOOK_KINDS.map((k) => [k, lines(v.hooks[k]).map(hookOf)])) as PodConfigInput['hooks'],
    containers: v.containers.map(toContainerConfig),
  };
}

export function validatePod(v: PodFormValues): Validation<PodConfigInput> {
  const config = toPodConfig(v);
  const jsonErrors = driverConfigsOf(v.driverConfigs).errors;
  const result = PodConfigSchema.safeParse(config);
  const errors = { ...(result.success ? {} : fieldErrorsOfZod(result.error)), ...jsonErrors, ...networkErrors(v.networkModel, v.network, keyValueRecord(v.annotations)) };
  return Object.keys(errors).length === 0 ? { ok: true, config, errors } : { ok: false, errors };
}
