// The hypervisor configuration a pod actually gets: every zero or empty field of its
// HypervisorConfig replaced by what wins instead (vmConfig, a custom-asset annotation, the driver's
// default). The one place that decides it: the qemu driver launches from it and `pod status` shows
// it, so what is shown is what was launched. Pure: the driver hands its defaults in.
import { ASSETS, assetOverrides, type AssetField } from './assets.js';
import type { HypervisorConfig, PodConfig } from './types.js';

/** What a hypervisor driver uses when the config says nothing; '' for an asset it has none of. */
export interface HypervisorDefaults {
  vcpus: number;
  memoryMiB: number;
  defaultBridges: number;
  blockDeviceDriver: 'virtio-scsi' | 'virtio-blk';
  sharedFs: 'virtio-fs' | 'virtio-9p';
  machineType: 'pc' | 'pc-lite' | 'q35';
  kernelPath: string;
  imagePath: string;
  initrdPath: string;
  hypervisorPath: string;
  firmwarePath: string;
}

/**
 * A value and where it came from: the config field that set it (`vmConfig.vcpus`,
 * `hypervisorConfig.kernelPath`, `annotations.com.github.containers.virtcontainers.KernelPath`)
 * or `default`, the driver's own.
 */
export interface Effective<T> {
  value: T;
  source: string;
}

export interface EffectiveHypervisorConfig {
  vcpus: Effective<number>;
  /** Hotpluggable ceiling: never below vcpus (QEMU's -smp maxcpus). */
  maxVcpus: Effective<number>;
  memoryMiB: Effective<number>;
  defaultBridges: Effective<number>;
  blockDeviceDriver: Effective<HypervisorDefaults['blockDeviceDriver']>;
  sharedFs: Effective<HypervisorDefaults['sharedFs']>;
  machineType: Effective<HypervisorDefaults['machineType']>;
  kernelPath: Effective<string>;
  imagePath: Effective<string>;
  initrdPath: Effective<string>;
  hypervisorPath: Effective<string>;
  firmwarePath: Effective<string>;
}

export const DEFAULT_SOURCE = 'default';

/** The first candidate whose value is set (non-zero, non-empty), else the driver default. */
function pick<T extends string | number>(fallback: T, ...candidates: [source: string, value: T | '' | 0 | undefined][]): Effective<T> {
  for (const [source, value] of candidates) if (value !== '' && value !== 0 && value !== undefined) return { value: value as T, source };
  return { value: fallback, source: DEFAULT_SOURCE };
}

function asset(field: AssetField, config: HypervisorConfig, overrides: Partial<Record<AssetField, string>>, defaults: HypervisorDefaults): Effective<string> {
  return pick(defaults[field], [`annotations.${ASSETS[field].pathAnnotation}`, overrides[field]], [`hypervisorConfig.${field}`, config[field]]);
}

export function effectiveHypervisorConfig(pod: Pick<PodConfig, 'hypervisorConfig' | 'vmConfig' | 'annotations'>, defaults: HypervisorDefaults): EffectiveHypervisorConfig {
  const h = pod.hypervisorConfig;
  const overrides = assetOverrides(pod.annotations);
  const vcpus = pick(defaults.vcpus, ['vmConfig.vcpus', pod.vmConfig.vcpus], ['hypervisorConfig.defaultVcpus', h.defaultVcpus]);
  const maxVcpus = h.defaultMaxVcpus > vcpus.value ? { value: h.defaultMaxVcpus, source: 'hypervisorConfig.defaultMaxVcpus' } : { ...vcpus };
  return {
    vcpus,
    maxVcpus,
    memoryMiB: pick(defaults.memoryMiB, ['vmConfig.memory', pod.vmConfig.memory], ['hypervisorConfig.defaultMemSz', h.defaultMemSz]),
    defaultBridges: pick(defaults.defaultBridges, ['hypervisorConfig.defaultBridges', h.defaultBridges]),
    blockDeviceDriver: pick(defaults.blockDeviceDriver, ['hypervisorConfig.blockDeviceDriver', h.blockDeviceDriver]),
    sharedFs: pick(defaults.sharedFs, ['hypervisorConfig.sharedFs', h.sharedFs]),
    machineType: pick(defaults.machineType, ['hypervisorConfig.hypervisorMachineType', h.hypervisorMachineType]),
    kernelPath: asset('kernelPath', h, overrides, defaults),
    imagePath: asset('imagePath', h, overrides, defaults),
    initrdPath: asset('initrdPath', h, overrides, defaults),
    hypervisorPath: asset('hypervisorPath', h, overrides, defaults),
    firmwarePath: asset('firmwarePath', h, overrides, defaults),
  };
}

/**
 * The pod's HypervisorConfig with the effective values written in, for code that reads the plain
 * config (the QEMU argv builder): it then cannot see a different answer from `pod status`.
 */
export function withEffectiveValues(config: HypervisorConfig, e: EffectiveHypervisorConfig): HypervisorConfig {
  return {
    ...config,
    defaultVcpus: e.vcpus.value,
    defaultMaxVcpus: e.maxVcpus.value,
    defaultMemSz: e.memoryMiB.value,
    defaultBridges: e.defaultBridges.value,
    blockDeviceDriver: e.blockDeviceDriver.value,
    sharedFs: e.sharedFs.value,
    hypervisorMachineType: e.machineType.value,
    kernelPath: e.kernelPath.value,
    imagePath: e.imagePath.value,
    initrdPath: e.initrdPath.value,
    hypervisorPath: e.hypervisorPath.value,
    firmwarePath: e.firmwarePath.value,
  };
}
