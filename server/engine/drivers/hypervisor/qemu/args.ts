// Pure QEMU command-line builder: turns a pod's resolved VM settings into argv. No I/O here, so
// unit tests can pin the exact command line; index.ts resolves paths and the accelerator first.
import type { HypervisorConfig, Param } from '../../../types.js';
import type { VmDevice } from '../../devices.js';
import { bridgeArgs, rootBusOf, scsiControllerArgs } from './hotplug-plan.js';

export type Accelerator = 'kvm' | 'tcg';

export const DEFAULT_VCPUS = 1;
/** Upstream defaulted to 2048 MiB; a TCG guest at 256 MiB already costs ~300 MiB of host RSS. */
export const DEFAULT_MEMORY_MIB = 256;

/** A share with its transport; a virtio-fs one with the socket of the virtiofsd serving it. */
export type LaunchShare = Extract<VmDevice, { kind: 'share' }> & ({ fs: 'virtio-9p' } | { fs: 'virtio-fs'; socketPath: string });

/**
 * A contributed device with what the driver resolved for it: the host socket of a serial port,
 * the transport of a share, the child fd numbers of a macvtap NIC's queues.
 */
/** A serial port with its host end: a socket QEMU listens on, or the file and FIFO of a file-backed one. */
export type LaunchPort = Omit<Extract<VmDevice, { kind: 'serialPort' }>, 'backend'> & ({ backend?: 'socket'; socketPath: string } | { backend: 'file'; pipePath: string; outputPath: string; inputPath: string });

export type LaunchDevice =
  | LaunchPort
  | LaunchShare
  | (Omit<Extract<VmDevice, { kind: 'nic' }>, 'backend'> & { backend: { type: 'tap'; ifname: string } | { type: 'fds'; fds: number[] } })
  /** Hotplug slots (hotplug-plan.ts): nothing to resolve. */
  | Extract<VmDevice, { kind: 'pciBridge' | 'scsiController' }>;

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
  sockets: { qmp: string; console: string };
  consoleLog: string;
  /** What the agent, network and storage drivers contributed, in their order. */
  devices: LaunchDevice[];
  /** Set for a template VM and its clones (template.ts); absent for a cold boot. */
  template?: TemplateLaunch;
}

/**
 * A template maps its RAM from a file with share=on so that saving its state copies no RAM
 * (x-ignore-shared); a clone maps the same file share=off (private copy-on-write pages) and waits
 * for its device state (-incoming defer). The vmgenid guid differs per VM: a clone's kernel sees it
 * change on restore and reseeds its random number generator.
 */
export interface TemplateLaunch {
  memPath: string;
  role: 'template' | 'clone';
  vmgenid: string;
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

/**
 * Node.js flags the guest's init gives the agent (kernel parameter podvisor.node_flags, one word).
 * Under TCG, V8's baseline compiler (Sparkplug) writes new machine code for every function a
 * start-up runs a few times, and TCG must then translate that code again: without it, a cold
 * RunPod took ~0.15-0.2 s less (medians of 4 cold pods per variant, same image; bench/runpod.ts's
 * cold ratio 2.44x -> 2.35x, README), while TurboFan stays for what is really hot. KVM runs the generated code natively: no flags there. The agent's V8
 * snapshot is built with the same flags (V8 refuses a blob made under other flags), and they are
 * part of its key (agent-snapshot.ts).
 */
export function agentNodeFlags(accelerator: Accelerator): string[] {
  return accelerator === 'kvm' ? [] : ['--no-sparkplug'];
}

/** loglevel=4 keeps only warnings on the console: printing the full boot log costs ~1 s under TCG. */
export function baseKernelParams(accelerator: Accelerator, debug: boolean): string[] {
  const nodeFlags = agentNodeFlags(accelerator);
  return [
    ...BASE_KERNEL_PARAMS,
    ...(accelerator === 'kvm' ? ['tsc=reliable'] : []), // TCG's TSC is not trustworthy
    debug ? 'debug' : 'loglevel=4',
    ...(nodeFlags.length ? [`podvisor.node_flags=${nodeFlags.join(',')}`] : []),
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

/**
 * tb-size is TCG's translated-code cache (MiB; KVM runs guest code natively and has none). QEMU's
 * default (1 GiB, grown on demand) cost ~376 MiB of RSS per 256 MiB guest; 32 made Node.js's start
 * in the guest keep retranslating evicted code. A cold pod's start to its first container running
 * translates ~116 MB of code (HMP `info jit`): at 64 the cache was flushed twice on the way, and crun
 * then ran untranslated (StartContainer 0.64 s in the guest, against 0.35 s at 128, which no pod
 * start flushed; RSS 392 MiB against 333). Clones translate much less: their RSS hardly moves.
 */
export function accelOption(accelerator: Accelerator): string {
  return accelerator === 'kvm' ? 'kvm' : 'tcg,tb-size=128';
}

function machineArgs(launch: QemuLaunch, memoryBackend: string | null): string[] {
  const { config } = launch;
  // pc-lite was a separate upstream QEMU build; plain pc is the same board here.
  const type = config.hypervisorMachineType === 'q35' ? 'q35' : 'pc';
  const options = [type];
  if (memoryBackend) options.push(`memory-backend=${memoryBackend}`);
  if (config.machineAccelerators) options.push(config.machineAccelerators);
  return ['-machine', options.join(','), '-accel', accelOption(launch.accelerator), '-cpu', launch.accelerator === 'kvm' ? 'host' : 'max'];
}

function memoryArgs(launch: QemuLaunch): { args: string[]; backend: string | null } {
  const { config, memoryMiB } = launch;
  const args = ['-m', `${memoryMiB}M`];
  if (launch.template) {
    const share = launch.template.role === 'template' ? 'on' : 'off';
    args.push('-object', `memory-backend-file,id=pod-ram,size=${memoryMiB}M,mem-path=${escapeOptionValue(launch.template.memPath)},share=${share}`);
    return { args, backend: 'pod-ram' };
  }
  const prealloc = config.memPrealloc ? ',prealloc=on' : '';
  if (config.hugePages && launch.hugetlbfsPath) {
    const path = escapeOptionValue(launch.hugetlbfsPath);
    args.push('-object', `memory-backend-file,id=pod-ram,size=${memoryMiB}M,mem-path=${path},share=on${prealloc}`);
    return { args, backend: 'pod-ram' };
  }
  // virtiofsd reads and writes guest buffers in place: it maps guest RAM, which must be shared.
  if (launch.devices.some((d) => d.kind === 'share' && d.fs === 'virtio-fs')) {
    args.push('-object', `memory-backend-memfd,id=pod-ram,size=${memoryMiB}M,share=on${prealloc}`);
    return { args, backend: 'pod-ram' };
  }
  if (config.memPrealloc) args.push('-mem-prealloc');
  return { args, backend: null };
}

function shareArgs(share: LaunchShare, index: number): string[] {
  const id = `fs${index}`; // not derived from the tag: upstream's 31-character cut could collide
  if (share.fs === 'virtio-fs') {
    return [
      // A client socket: virtiofsd is already listening when QEMU starts.
      '-chardev', `socket,id=${id},path=${escapeOptionValue(share.socketPath)}`,
      // queue-size=1024 as Kata: the default 128 descriptors cap the requests in flight.
      '-device', `vhost-user-fs-pci,chardev=${id},tag=${share.tag},queue-size=1024`,
    ];
  }
  return [
    // security_model=none: the guest sees host ownership, and bind mounts made later under
    // hostPath show up in the guest. multidevs=remap: those mounts are other devices.
    '-fsdev', `local,id=${id},path=${escapeOptionValue(share.hostPath)},security_model=none,multidevs=remap${share.readOnly ? ',readonly=on' : ''}`,
    '-device', `virtio-9p-pci,fsdev=${id},mount_tag=${share.tag}`,
  ];
}

function serialPortArgs(port: LaunchPort, index: number): string[] {
  const id = `port${index}`;
  return [
    ...(port.backend === 'file'
      // QEMU 7.2's file chardev cannot read input; its pipe chardev opens <path>.in and <path>.out
      // read-write: .in is a FIFO (QEMU holding both ends, it never reads EOF when a writer leaves)
      // and .out a regular file QEMU writes from its start (index.ts makes both).
      ? ['-chardev', `pipe,id=${id},path=${escapeOptionValue(port.pipePath)}`]
      : ['-chardev', `socket,id=${id},path=${escapeOptionValue(port.socketPath)},server=on,wait=off`]),
    // id= on the port makes QMP report VSERPORT_CHANGE when the guest opens it.
    '-device', `virtserialport,bus=vser0.0,chardev=${id},name=${port.name},id=${id}dev`,
  ];
}

function nicArgs(nic: Extract<LaunchDevice, { kind: 'nic' }>): string[] {
  const { backend } = nic;
  // script=no: the network driver made the tap; vhost stays off (no /dev/vhost-net to rely on).
  const netdev = backend.type === 'tap' ? `tap,id=${nic.id},ifname=${backend.ifname},script=no,downscript=no` : `tap,id=${nic.id},fds=${backend.fds.join(':')}`;
  const queues = backend.type === 'fds' ? backend.fds.length : nic.queues;
  // mq with vectors = 2*queues+2 as upstream, only when there is more than one queue.
  const mq = queues > 1 ? `,mq=on,vectors=${2 * queues + 2}` : '';
  // host_mtu tells the guest driver the MTU the host side carries (CNI's, often below 1500).
  const mtu = nic.mtu !== 1500 ? `,host_mtu=${nic.mtu}` : '';
  return ['-netdev', netdev, '-device', `virtio-net-pci,netdev=${nic.id},mac=${nic.mac}${mq}${mtu}`];
}

function deviceArgs(launch: QemuLaunch): string[] {
  const { sockets, devices } = launch;
  const ports = devices.filter((d) => d.kind === 'serialPort');
  const rootBus = rootBusOf(launch.config.hypervisorMachineType);
  return [
    ...devices.filter((d) => d.kind === 'share').flatMap(shareArgs),
    '-drive', `file=${escapeOptionValue(launch.imagePath)},if=none,id=image,format=raw,readonly=on`,
    '-device', 'virtio-blk-pci,drive=image',
    ...devices.flatMap((d) => (d.kind === 'pciBridge' ? bridgeArgs(d, rootBus) : d.kind === 'scsiController' ? scsiControllerArgs(rootBus) : [])),
    ...(ports.length ? ['-device', 'virtio-serial-pci,id=vser0', ...ports.flatMap(serialPortArgs)] : []),
    ...devices.filter((d) => d.kind === 'nic').flatMap(nicArgs),
    '-chardev',
    `socket,id=console,path=${escapeOptionValue(sockets.console)},server=on,wait=off,logfile=${escapeOptionValue(launch.consoleLog)}`,
    '-serial', 'chardev:console',
    ...templateDeviceArgs(launch),
  ];
}

/** Last, so that a template and its clones keep every other device where a cold boot has it. */
function templateDeviceArgs(launch: QemuLaunch): string[] {
  if (!launch.template) return [];
  return ['-device', `vmgenid,guid=${launch.template.vmgenid}`, ...(launch.template.role === 'clone' ? ['-incoming', 'defer'] : [])];
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
