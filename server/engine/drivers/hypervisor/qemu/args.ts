// Pure QEMU command-line builder: turns a pod's resolved VM settings into argv. No I/O here, so
// unit tests can pin the exact command line; index.ts resolves paths and the accelerator first.
import type { HypervisorConfig, Param } from '../../../types.js';

export type Accelerator = 'kvm' | 'tcg';

export const DEFAULT_VCPUS = 1;
/** Upstream defaulted to 2048 MiB; a TCG guest at 256 MiB already costs ~300 MiB of host RSS. */
export const DEFAULT_MEMORY_MIB = 256;
export const SHARED_DIR_TAG = 'kataShared';
export const AGENT_PORT_NAME = 'agent.channel.0';

export interface QemuLaunch {
  podId: string;
  uuid: string;
  hostname: string;
  config: HypervisorConfig;
  /** pod.config.vmConfig; non-zero values override the hypervisor defaults. */
  vcpus: number;
  memoryMiB: number;
  accelerator: Accelerator;
  kernelPath: string;
  initrdPath: string;
  imagePath: string;
  /** Mount point of a hugetlbfs when hugePages is on and one exists. */
  hugetlbfsPath: string | null;
  sockets: { qmp: string; agent: string; console: string };
  consoleLog: string;
  /** kataShared first, then the pod's volumes. */
  shares: { tag: string; hostPath: string }[];
}

/**
 * Always on. console=ttyS0: kernel and init messages land in console.log. panic=1 with -no-reboot:
 * a guest that panics makes QEMU exit, so the host sees the VM dead. The rest skips probing
 * hardware a VM does not have.
 */
const BASE_KERNEL_PARAMS = [
  'console=ttyS0',
  'panic=1',
  'no_timer_check',
  'rcupdate.rcu_expedited=1',
  'cryptomgr.notests',
  'i8042.direct=1',
  'i8042.dumbkbd=1',
  'i8042.nopnp=1',
  'i8042.noaux=1',
  'net.ifnames=0',
  'pci=lastbus=0',
  'iommu=off',
];

/** QEMU option values use "," as separator; a literal comma is written twice. */
export function escapeOptionValue(value: string): string {
  return value.replaceAll(',', ',,');
}

function paramWords(params: Param[], prefix: string): string[] {
  return params.map((p) => (p.value === '' ? `${prefix}${p.key}` : `${prefix}${p.key}=${p.value}`));
}

/** loglevel=4 keeps only warnings on the console: printing the full boot log costs ~1 s under TCG. */
export function baseKernelParams(accelerator: Accelerator, debug: boolean): string[] {
  return [
    ...BASE_KERNEL_PARAMS,
    ...(accelerator === 'kvm' ? ['tsc=reliable'] : []), // TCG's TSC is not trustworthy
    debug ? 'debug' : 'loglevel=4',
  ];
}

export function kernelCommandLine(launch: QemuLaunch): string {
  const { config } = launch;
  return [
    ...baseKernelParams(launch.accelerator, config.debug),
    `podvisor.hostname=${launch.hostname.replace(/[^A-Za-z0-9.-]/g, '-')}`, // one word on the command line
    ...paramWords(config.kernelParams, ''),
  ].join(' ');
}

function machineArgs(launch: QemuLaunch, memoryBackend: string | null): string[] {
  const { config } = launch;
  // pc-lite was a separate upstream QEMU build; plain pc is the same board here.
  const type = config.hypervisorMachineType === 'q35' ? 'q35' : 'pc';
  const options = [type];
  if (memoryBackend) options.push(`memory-backend=${memoryBackend}`);
  if (config.machineAccelerators) options.push(config.machineAccelerators);
  const accel = launch.accelerator === 'kvm' ? 'kvm' : 'tcg,tb-size=32'; // tb-size: ~75 MiB less RSS
  return ['-machine', options.join(','), '-accel', accel, '-cpu', launch.accelerator === 'kvm' ? 'host' : 'max'];
}

function memoryArgs(launch: QemuLaunch): { args: string[]; backend: string | null } {
  const { config, memoryMiB } = launch;
  const args = ['-m', `${memoryMiB}M`];
  if (config.hugePages && launch.hugetlbfsPath) {
    const prealloc = config.memPrealloc ? ',prealloc=on' : '';
    const path = escapeOptionValue(launch.hugetlbfsPath);
    args.push('-object', `memory-backend-file,id=pod-ram,size=${memoryMiB}M,mem-path=${path},share=on${prealloc}`);
    return { args, backend: 'pod-ram' };
  }
  if (config.memPrealloc) args.push('-mem-prealloc');
  return { args, backend: null };
}

function shareArgs(shares: QemuLaunch['shares']): string[] {
  return shares.flatMap(({ tag, hostPath }, index) => {
    const id = `fs${index}`; // not derived from the tag: upstream's 31-character cut could collide
    return [
      // security_model=none: the guest sees host ownership, and bind mounts made later under
      // hostPath show up in the guest. multidevs=remap: those mounts are other devices.
      '-fsdev', `local,id=${id},path=${escapeOptionValue(hostPath)},security_model=none,multidevs=remap`,
      '-device', `virtio-9p-pci,fsdev=${id},mount_tag=${tag}`,
    ];
  });
}

function deviceArgs(launch: QemuLaunch): string[] {
  const { sockets } = launch;
  return [
    ...shareArgs(launch.shares),
    '-drive', `file=${escapeOptionValue(launch.imagePath)},if=none,id=image,format=raw,readonly=on`,
    '-device', 'virtio-blk-pci,drive=image',
    '-device', 'virtio-serial-pci,id=vser0',
    '-chardev', `socket,id=agent,path=${escapeOptionValue(sockets.agent)},server=on,wait=off`,
    '-device', `virtserialport,bus=vser0.0,chardev=agent,name=${AGENT_PORT_NAME},id=agentport`,
    '-chardev',
    `socket,id=console,path=${escapeOptionValue(sockets.console)},server=on,wait=off,logfile=${escapeOptionValue(launch.consoleLog)}`,
    '-serial', 'chardev:console',
  ];
}

/** The full argv after the binary, in upstream's order where upstream had the option. */
export function buildQemuArgs(launch: QemuLaunch): string[] {
  const { config } = launch;
  const memory = memoryArgs(launch);
  const maxVcpus = Math.max(config.defaultMaxVcpus, launch.vcpus);
  return [
    '-name', `pod-${launch.podId}`,
    '-uuid', launch.uuid,
    ...machineArgs(launch, memory.backend),
    '-qmp', `unix:${escapeOptionValue(launch.sockets.qmp)},server=on,wait=off`,
    ...memory.args,
    ...deviceArgs(launch),
    '-rtc', 'base=utc,driftfix=slew',
    ...(launch.accelerator === 'kvm' ? ['-global', 'kvm-pit.lost_tick_policy=discard'] : []),
    '-vga', 'none', '-no-user-config', '-nodefaults', '-display', 'none', '-no-reboot',
    ...(config.realtime && config.mlock ? ['-overcommit', 'mem-lock=on'] : []),
    '-kernel', launch.kernelPath,
    '-initrd', launch.initrdPath,
    '-append', kernelCommandLine(launch),
    ...(config.firmwarePath ? ['-bios', config.firmwarePath] : []),
    // QEMU 7.2 wants sockets*cores*threads == maxcpus (upstream's sockets=<vcpus> is refused now).
    '-smp', `${launch.vcpus},cores=1,threads=1,sockets=${maxVcpus},maxcpus=${maxVcpus}`,
    ...config.hypervisorParams.flatMap((p) => (p.value === '' ? [`-${p.key}`] : [`-${p.key}`, p.value])),
  ];
}
