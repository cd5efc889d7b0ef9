// `pod create|run` flags → a PodConfig: the --config file first, flags on top, then the defaults
// upstream users expect (a UUID id, kata's own proxy and shim). The engine validates the result.
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import {
  AgentTypeSchema,
  HypervisorConfigSchema,
  HypervisorTypeSchema,
  NetworkModelSchema,
  ProxyTypeSchema,
  ShimTypeSchema,
  type PodConfigInput,
} from '../../engine/index.js';
import { collect, given, mergeConfig, readConfigFile, splitAt, toNumber, toParam, toRecord } from '../flags.js';
import { addProcessOptions, addRootfsOptions, containerPatch, type ProcessFlags, type RootfsFlags } from './container-flags.js';

export interface PodFlags extends ProcessFlags, RootfsFlags {
  config?: string;
  id?: string;
  hostname?: string;
  hypervisor?: string;
  agent?: string;
  proxy?: string;
  shim?: string;
  network?: string;
  kernel?: string;
  initrd?: string;
  image?: string;
  machineType?: string;
  vcpus?: string;
  memory?: string;
  kernelParam?: string[];
  debug?: boolean;
  annotation?: string[];
  volume?: string[];
  containerId?: string;
}

const choices = (values: readonly string[]) => values.filter(Boolean).join('|');
const MACHINE_TYPES = HypervisorConfigSchema.shape.hypervisorMachineType.unwrap().options;

export function addPodConfigOptions(cmd: Command): Command {
  cmd
    .option('--config <file.json>', 'load a whole PodConfig; the flags below override its fields')
    .option('--id <id>', 'pod ID (default: a random UUID)')
    .option('--hostname <name>', "the VM's hostname")
    .option('--hypervisor <type>', `${choices(HypervisorTypeSchema.options)} (default: qemu)`)
    .option('--agent <type>', `${choices(AgentTypeSchema.options)} (default: noop); kata implies --proxy kataProxy --shim kataShim unless given`)
    .option('--proxy <type>', `${choices(ProxyTypeSchema.options)} (default: noopProxy)`)
    .option('--shim <type>', `${choices(ShimTypeSchema.options)} (default: noopShim)`)
    .option('--network <model>', `${choices(NetworkModelSchema.options)} (default: noop)`)
    .option('--kernel <path>', 'guest kernel')
    .option('--initrd <path>', 'guest initramfs')
    .option('--image <path>', 'guest root image')
    .option('--machine-type <type>', choices(MACHINE_TYPES))
    .option('--vcpus <n>', 'vCPUs for the VM')
    .option('--memory <MiB>', 'memory for the VM, in MiB')
    .option('--kernel-param <key=value>', 'extra kernel parameter (repeatable)', collect)
    .option('--debug', 'debug output from the hypervisor and the guest kernel')
    .option('--annotation <k=v>', 'pod annotation (repeatable)', collect)
    .option('--volume <tag:path>', 'share a host directory with the guest under a mount tag (repeatable)', collect)
    .option('--container-id <id>', 'add one container to the pod, with --rootfs and the flags below; its command follows --');
  return addProcessOptions(addRootfsOptions(cmd));
}

function podPatch(flags: PodFlags) {
  return {
    id: flags.id,
    hostname: flags.hostname,
    hypervisorType: flags.hypervisor,
    agentType: flags.agent,
    proxyType: flags.proxy,
    shimType: flags.shim,
    networkModel: flags.network,
    vmConfig: { vcpus: toNumber(flags.vcpus), memory: toNumber(flags.memory) },
    hypervisorConfig: {
      kernelPath: flags.kernel,
      initrdPath: flags.initrd,
      imagePath: flags.image,
      hypervisorMachineType: flags.machineType,
      kernelParams: given(flags.kernelParam)?.map(toParam),
      debug: flags.debug,
    },
    annotations: toRecord(flags.annotation),
    volumes: given(flags.volume)?.map((spec) => {
      const [mountTag, hostPath] = splitAt(spec, ':');
      return { mountTag, hostPath };
    }),
  };
}

/** Pure, for tests: `file` is the parsed --config (or {}), `command` the words after `--`. */
export function buildPodConfig(file: Record<string, unknown>, flags: PodFlags, command: string[]): PodConfigInput {
  const config = mergeConfig(file, podPatch(flags)) as Record<string, unknown>;
  const { containerId, rootfs, readonlyRootfs, env, workdir, user, tty } = flags;
  if (containerId !== undefined || rootfs !== undefined || command.length > 0) {
    const fromFile = Array.isArray(config.containers) ? config.containers : [];
    config.containers = [...fromFile, containerPatch(containerId, { rootfs, readonlyRootfs, env, workdir, user, tty }, command)];
  }
  if (config.agentType === 'kata') {
    config.proxyType ??= 'kataProxy';
    config.shimType ??= 'kataShim';
  }
  config.id ??= randomUUID();
  // The engine parses this with PodConfigSchema; a wrong field type is reported there, by field name.
  return config as PodConfigInput;
}

export async function podConfigFromFlags(flags: PodFlags, command: string[]): Promise<PodConfigInput> {
  return buildPodConfig(await readConfigFile(flags.config), flags, command);
}
