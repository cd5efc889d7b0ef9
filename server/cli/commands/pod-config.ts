// `pod create|run` flags → a PodConfig: the --config file first, flags on top, then the defaults
// upstream users expect (a UUID id, kata's own proxy and shim). The engine validates the result.
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import {
  AgentTypeSchema,
  HypervisorConfigSchema,
  HypervisorTypeSchema,
  NetInterworkingModelSchema,
  NetworkModelSchema,
  ProxyTypeSchema,
  ShimTypeSchema,
  type PodConfigInput,
} from '../../engine/types.js';
import { PORTS_ANNOTATION } from '../../engine/drivers/network/cni-config.js';
import { collect, given, mergeConfig, readConfigFile, splitAt, toNumber, toParam, toRecord } from '../flags.js';
import { addProcessOptions, addRootfsOptions, containerPatch, FLAGS_ONLY_CONTAINER, type ProcessFlags, type RootfsFlags } from './container-flags.js';

export interface PodFlags extends ProcessFlags, RootfsFlags {
  config?: string;
  id?: string;
  hostname?: string;
  hypervisor?: string;
  agent?: string;
  proxy?: string;
  shim?: string;
  network?: string;
  cniNetwork?: string;
  netns?: string;
  interworking?: string;
  numInterfaces?: string;
  publish?: string[];
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
    .option('--cni-network <name>', 'the CNI network (a conflist in the CNI config dir) for --network CNI (default: podvisor0)')
    .option('--netns <path>', 'an existing network namespace to use (CNM: its links are what the pod gets); default: a new one')
    .option('--interworking <model>', `how the VM reaches the netns: ${choices(NetInterworkingModelSchema.options)} (default: macvtap)`)
    .option('--num-interfaces <n>', 'NICs to give the VM (CNI: one ADD per NIC; CNM: at most this many of the links found)')
    .option('--publish <hostPort:containerPort[/proto]>', 'map a host port to the pod (CNI portmap; repeatable)', collect)
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

/** --publish 8080:80/tcp → the port-mapping annotation the CNI driver reads (its schema checks it). */
function publishAnnotation(specs: string[] | undefined): Record<string, string> | undefined {
  if (!given(specs)) return undefined;
  const mappings = specs!.map((spec) => {
    const [ports, protocol = 'tcp'] = splitAt(spec, '/');
    const [hostPort, containerPort] = splitAt(ports, ':');
    return { hostPort: Number(hostPort), containerPort: Number(containerPort), protocol };
  });
  return { [PORTS_ANNOTATION]: JSON.stringify(mappings) };
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
    networkConfig: {
      netNsPath: flags.netns,
      interworkingModel: flags.interworking,
      numInterfaces: toNumber(flags.numInterfaces),
      cniNetwork: flags.cniNetwork,
    },
    vmConfig: { vcpus: toNumber(flags.vcpus), memory: toNumber(flags.memory) },
    hypervisorConfig: {
      kernelPath: flags.kernel,
      initrdPath: flags.initrd,
      imagePath: flags.image,
      hypervisorMachineType: flags.machineType,
      kernelParams: given(flags.kernelParam)?.map(toParam),
      debug: flags.debug,
    },
    annotations: given(flags.publish) || given(flags.annotation) ? { ...toRecord(flags.annotation), ...publishAnnotation(flags.publish) } : undefined,
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
    const patch = containerPatch(containerId, { rootfs, readonlyRootfs, env, workdir, user, tty }, command);
    config.containers = [...fromFile, mergeConfig(FLAGS_ONLY_CONTAINER, patch)];
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
