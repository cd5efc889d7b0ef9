// The `qemu` hypervisor driver: one QEMU process per pod, booted from the guest assets that
// guest/build-assets.sh builds, controlled over QMP, found again through the PID it persists.
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_SOURCE, effectiveHypervisorConfig, withEffectiveValues, type Effective, type HypervisorDefaults } from '../../../effective-config.js';
import { EngineError } from '../../../errors.js';
import type { SharedFs, VmDevice, VmEndpoints, VmLaunchPlan } from '../../devices.js';
import type { DriverEnv } from '../../registry.js';
import type { PodContext } from '../../types.js';
import type { Hypervisor, VmLiveness } from '../types.js';
import { chooseAccelerator } from './accel.js';
import { chooseAgentStart, type AgentStart } from './agent-snapshot.js';
import { buildQemuArgs, DEFAULT_MEMORY_MIB, DEFAULT_VCPUS, type LaunchDevice, type QemuLaunch } from './args.js';
import { GUEST_FILES, guestDir } from './guest-assets.js';
import { QemuStateSchema, qemuStateOf, type QemuState } from './state.js';
import { linuxHost } from '../../../host/linux.js';
import type { Host } from '../../../host/types.js';
import { isOurQemu, ourQemu, spawnQemu } from './process.js';
import { QmpConnection, qmpCommand, qmpQuit } from './qmp.js';
import { ourVirtiofsd, podSharedFs, shareFs, startVirtiofsd, stopVirtiofsd, type VirtiofsdState } from './virtiofsd.js';
import { createQemuTemplates } from './template.js';
import { hotplugDevices } from './hotplug-plan.js';
import { createQemuBlockHotplug } from './hotplug.js';
import { templateSettings } from '../../../templates/types.js';

const DEFAULT_QEMU = '/usr/bin/qemu-system-x86_64';
const QMP_WAIT_MS = 30_000; // TCG: QEMU itself is up in well under a second, but a loaded host is slow
const MAX_SOCKET_PATH = 107;
/** QMP run states after which the guest never runs again. */
const GUEST_GONE_STATUSES = new Set(['shutdown', 'internal-error', 'guest-panicked']);

export function runFiles(runDir: string) {
  return {
    qmp: join(runDir, 'qmp.sock'),
    console: join(runDir, 'console.sock'),
    consoleLog: join(runDir, 'console.log'),
    qemuLog: join(runDir, 'qemu.log'),
    virtiofsdLog: join(runDir, 'virtiofsd.log'),
    /** One socket per contributed serial port, named after the port. */
    port: (name: string) => join(runDir, `${name}.sock`),
    /** A file-backed port: QEMU's pipe chardev path, whose .out is the output file and .in the input FIFO. */
    portPipe: (name: string) => join(runDir, name),
    /** One per virtio-fs share, by position: a 31-character tag would crowd the 107-byte limit. */
    virtiofsd: (index: number) => join(runDir, `vfs${index}.sock`),
  };
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}

/** A configured path (or annotation) that is wrong is the caller's mistake; a missing built asset is the host's. */
async function resolveFile({ value, source }: Effective<string>): Promise<string> {
  if (source !== DEFAULT_SOURCE) {
    if (!(await isFile(value))) throw new EngineError('INVALID_CONFIG', `${source}: ${value} is not a file`, { field: source });
    return value;
  }
  if (!(await isFile(value))) {
    throw new EngineError('HYPERVISOR_FAILED', `guest asset ${value} is missing: run \`npm run build:guest\``, { field: source });
  }
  return value;
}

/** Where the config says nothing; effectiveHypervisorConfig() applies these for the launch and for `pod status`. */
function qemuDefaults(): HypervisorDefaults {
  const assets = guestDir();
  return {
    vcpus: DEFAULT_VCPUS,
    memoryMiB: DEFAULT_MEMORY_MIB,
    defaultBridges: 1,
    blockDeviceDriver: 'virtio-scsi',
    sharedFs: podSharedFs(''),
    machineType: 'q35',
    kernelPath: join(assets, GUEST_FILES.kernel),
    imagePath: join(assets, GUEST_FILES.image),
    initrdPath: join(assets, GUEST_FILES.initrd),
    hypervisorPath: DEFAULT_QEMU,
    firmwarePath: '',
  };
}

async function hugetlbfsMount(): Promise<string | null> {
  const mounts = await readFile('/proc/mounts', 'utf8').catch(() => '');
  return mounts.split('\n').map((line) => line.split(' ')).find((f) => f[2] === 'hugetlbfs')?.[1] ?? null;
}

/** A serial port's files in the run dir: its socket, or a file-backed port's pipe, output file and input FIFO. */
function resolveSerialPort(device: Extract<VmDevice, { kind: 'serialPort' }>, runDir: string): LaunchDevice {
  const files = runFiles(runDir);
  if (device.backend !== 'file') return { ...device, backend: 'socket', socketPath: files.port(device.name) };
  const pipePath = files.portPipe(device.name);
  return { ...device, backend: 'file', pipePath, outputPath: `${pipePath}.out`, inputPath: `${pipePath}.in` };
}

/**
 * Turns contributed devices into launch devices: serial ports get a socket in the run dir, shares
 * their transport (and a virtiofsd socket), macvtap queues are opened here and handed to QEMU as
 * fds 3, 4, … (`fds` collects what to pass).
 */
export function resolveDevices(plan: VmLaunchPlan, runDir: string, podFs: SharedFs, fds: number[]): LaunchDevice[] {
  let shares = 0;
  return plan.devices.map((device): LaunchDevice => {
    if (device.kind === 'serialPort') return resolveSerialPort(device, runDir);
    if (device.kind === 'share') {
      const index = shares++;
      if (shareFs(podFs, device.readOnly) === 'virtio-9p') return { ...device, fs: 'virtio-9p' };
      return { ...device, fs: 'virtio-fs', socketPath: runFiles(runDir).virtiofsd(index) };
    }
    if (device.kind === 'pciBridge' || device.kind === 'scsiController') return device;
    if (device.backend.type === 'tap') return { ...device, backend: device.backend };
    const { devicePath } = device.backend;
    const queueFds = Array.from({ length: device.queues }, () => {
      fds.push(openSync(devicePath, 'r+'));
      return 2 + fds.length; // the child's fd: after stdin, stdout and stderr
    });
    return { ...device, backend: { type: 'fds', fds: queueFds } };
  });
}

/** A file-backed port's files, fresh: an empty output file and the input FIFO (Node has no mkfifo). */
async function makePipeFiles(host: Host, output: string, input: string): Promise<void> {
  await Promise.all([rm(output, { force: true }), rm(input, { force: true })]);
  await writeFile(output, '', { mode: 0o600 });
  const made = await host.run('mkfifo', ['-m', '600', input]);
  if (made.exitCode !== 0) throw new EngineError('HYPERVISOR_FAILED', `mkfifo ${input}: ${made.stderr.trim()}`);
}

export function endpointsOf(devices: LaunchDevice[]): VmEndpoints {
  const endpoints: VmEndpoints = { serialPorts: {}, nics: {}, shares: {} };
  for (const d of devices) {
    if (d.kind === 'serialPort' && d.backend === 'file') (endpoints.serialFiles ??= {})[d.name] = { output: d.outputPath, input: d.inputPath };
    else if (d.kind === 'serialPort') endpoints.serialPorts[d.name] = d.socketPath;
    if (d.kind === 'share') endpoints.shares[d.tag] = d.fs;
    // No /dev/vhost-net on the hosts we test on, and QEMU falls back silently: say what it is.
    if (d.kind === 'nic') endpoints.nics[d.id] = { mac: d.mac, vhost: false };
  }
  return endpoints;
}

export async function launchSettings(pod: PodContext, env: DriverEnv, devices: LaunchDevice[]): Promise<{ binary: string; launch: QemuLaunch; agentStart: AgentStart }> {
  const effective = effectiveHypervisorConfig(pod.config, qemuDefaults());
  const config = withEffectiveValues(pod.config.hypervisorConfig, effective);
  const binary = await resolveFile(effective.hypervisorPath);
  const kernelPath = await resolveFile(effective.kernelPath);
  const initrdPath = await resolveFile(effective.initrdPath);
  const imagePath = await resolveFile(effective.imagePath);
  if (effective.firmwarePath.value) await resolveFile(effective.firmwarePath);
  for (const [i, volume] of pod.config.volumes.entries()) {
    if (!(await isDirectory(volume.hostPath))) {
      throw new EngineError('INVALID_CONFIG', `volumes.${i}.hostPath: ${volume.hostPath} is not a directory`, { field: `volumes.${i}.hostPath` });
    }
  }
  const files = runFiles(pod.runDir);
  for (const path of [files.qmp, files.console, ...socketsOf(devices)]) {
    if (Buffer.byteLength(path) >= MAX_SOCKET_PATH) {
      throw new EngineError('HYPERVISOR_FAILED', `socket path ${path} is too long for a unix socket (limit ${MAX_SOCKET_PATH} bytes)`);
    }
  }
  const accelerator = await chooseAccelerator(binary, kernelPath, env.runRoot);
  // The snapshot was built from the default assets: a pod booting its own may run another agent.
  const ownAssets = [effective.kernelPath, effective.initrdPath, effective.imagePath].some((e) => e.source !== DEFAULT_SOURCE);
  const agentStart: AgentStart = ownAssets
    ? { initrdPath: null, key: null, note: 'plain bundle: the pod names its own kernel, initrd or image' }
    : await chooseAgentStart(guestDir(), binary, accelerator);
  const hugetlbfsPath = config.hugePages ? await hugetlbfsMount() : null;
  if (config.hugePages && !hugetlbfsPath) pod.log.warn('hugePages requested but no hugetlbfs is mounted: using normal memory');
  const launch: QemuLaunch = {
    podId: pod.id,
    uuid: randomUUID(),
    hostname: pod.config.hostname || pod.id,
    config,
    vcpus: effective.vcpus.value,
    memoryMiB: effective.memoryMiB.value,
    accelerator,
    kernelPath,
    initrdPath: agentStart.initrdPath ?? initrdPath,
    imagePath,
    hugetlbfsPath,
    sockets: { qmp: files.qmp, console: files.console },
    consoleLog: files.consoleLog,
    // The bridges and the SCSI controller that disks are plugged into later (hotplug.ts).
    devices: [...devices, ...hotplugDevices(config)],
  };
  return { binary, launch, agentStart };
}

/**
 * What pods on this host run under, for the console: the forced or cached verdict, probing now
 * (≤ 5 s, once per host boot) if nobody has yet. `kvmDevice` tells a working KVM from a /dev/kvm
 * whose guests hang (nested virtualisation), which the bare device node cannot.
 */
export async function hostAccelerator(env: DriverEnv): Promise<{ accelerator: 'kvm' | 'tcg'; kvmDevice: boolean; forced: boolean }> {
  const kvmDevice = existsSync('/dev/kvm');
  const forced = process.env['PODVISOR_ACCEL'] === 'kvm' || process.env['PODVISOR_ACCEL'] === 'tcg';
  const kernel = join(guestDir(), GUEST_FILES.kernel);
  if (!forced && !(await isFile(kernel))) return { accelerator: 'tcg', kvmDevice, forced }; // nothing to probe with yet
  return { accelerator: await chooseAccelerator(DEFAULT_QEMU, kernel, env.runRoot), kvmDevice, forced };
}

/** Connects as soon as QEMU listens; gives up early if QEMU exits first. */
export async function waitForQmp(qmpSocket: string, exited: Promise<string>): Promise<void> {
  let exitReason: string | null = null;
  void exited.then((reason) => (exitReason = reason));
  const deadline = Date.now() + QMP_WAIT_MS;
  for (;;) {
    if (exitReason) throw new EngineError('HYPERVISOR_FAILED', `QEMU ${exitReason}`);
    try {
      (await QmpConnection.open(qmpSocket, 2_000)).close();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw new EngineError('TIMEOUT', `QEMU's QMP socket did not answer within ${QMP_WAIT_MS / 1000} s`, undefined, { cause: err });
    }
    // QEMU listens 30-60 ms after its spawn; a refused connect costs microseconds, a clone's whole launch ~0.1 s.
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The sockets of serial ports and virtiofsds, and file-backed ports' files, which startVm creates in the run dir. */
export function socketsOf(devices: LaunchDevice[]): string[] {
  return devices.flatMap((d) => {
    if (d.kind === 'serialPort') return d.backend === 'file' ? [d.outputPath, d.inputPath] : [d.socketPath];
    return d.kind === 'share' && d.fs === 'virtio-fs' ? [d.socketPath] : [];
  });
}

/** Removes what startVm creates, except logs, which stay for post-mortems until the run dir goes. */
export async function removeRunFiles(runDir: string, keepLogs: boolean, sockets: string[]): Promise<void> {
  const files = runFiles(runDir);
  const paths = [files.qmp, files.console, ...sockets, ...(keepLogs ? [] : [files.consoleLog, files.qemuLog, files.virtiofsdLog])];
  await Promise.all(paths.map((p) => rm(p, { force: true })));
}

/** Every virtiofsd, even when one fails: a daemon left behind would hold the shared dir. */
async function stopVirtiofsds(host: Host, daemons: VirtiofsdState[]): Promise<void> {
  const results = await Promise.allSettled(daemons.map((d) => stopVirtiofsd(host, d)));
  const failed = results.find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

function vmState(pod: PodContext): QemuState | null {
  return qemuStateOf(pod.runtime.hypervisor);
}

async function qmpControl(host: Host, pod: PodContext, command: 'stop' | 'cont'): Promise<void> {
  const vm = vmState(pod);
  if (!vm || !(await isOurQemu(vm.pid, vm.qmpSocket, host))) throw new EngineError('HYPERVISOR_FAILED', `the VM of pod ${pod.id} is not running`);
  try {
    await qmpCommand(vm.qmpSocket, command);
  } catch (err) {
    throw new EngineError('HYPERVISOR_FAILED', `pod ${pod.id}: ${err instanceof Error ? err.message : String(err)}`, undefined, { cause: err });
  }
}

export function createQemuHypervisor(env: DriverEnv): Hypervisor {
  const host = env.host ?? linuxHost;
  return {
    templates: createQemuTemplates(env, host, env.templates ?? templateSettings(env.runRoot)),
    blockHotplug: createQemuBlockHotplug(host),

    async startVm(pod, plan) {
      const files = runFiles(pod.runDir);
      const createdRunDir = !existsSync(pod.runDir);
      const fds: number[] = [];
      let pid: number | null = null;
      let devices: LaunchDevice[] = [];
      const virtiofsd: VirtiofsdState[] = [];
      const launchedAt = Date.now();
      try {
        const sharedFs = podSharedFs(pod.config.hypervisorConfig.sharedFs);
        await mkdir(pod.runDir, { recursive: true, mode: 0o750 });
        devices = resolveDevices(plan, pod.runDir, sharedFs, fds);
        for (const d of devices) if (d.kind === 'serialPort' && d.backend === 'file') await makePipeFiles(host, d.outputPath, d.inputPath);
        const { binary, launch, agentStart } = await launchSettings(pod, env, devices);
        const args = buildQemuArgs(launch);
        for (const share of devices) {
          if (share.kind === 'share' && share.fs === 'virtio-fs') virtiofsd.push(await startVirtiofsd(host, share, files.virtiofsdLog));
        }
        pod.log.debug({ binary, args, netNsPath: plan.netNsPath }, 'starting QEMU');
        const qemu = await spawnQemu(host, binary, args, files.qemuLog, { netNsPath: plan.netNsPath, fds });
        pid = qemu.pid;
        await waitForQmp(files.qmp, qemu.exited);
        pod.log.info({ pid, accelerator: launch.accelerator }, 'QEMU started');
        const state: QemuState = {
          pid,
          uuid: launch.uuid,
          accelerator: launch.accelerator,
          qmpSocket: files.qmp,
          consoleSocket: files.console,
          consoleLog: files.consoleLog,
          qemuLog: files.qemuLog,
          netNsPath: plan.netNsPath,
          endpoints: endpointsOf(devices),
          sharedFs,
          virtiofsd,
          boot: { mode: 'cold', template: null, reason: plan.coldReason ?? null, agent: agentStart.note, stages: [{ name: 'launch', ms: Date.now() - launchedAt }] },
        };
        return { state: QemuStateSchema.parse(state), endpoints: state.endpoints };
      } catch (err) {
        if (pid !== null) await host.terminate(pid, ourQemu(files.qmp, host));
        await stopVirtiofsds(host, virtiofsd).catch((e: unknown) => pod.log.warn({ err: e }, 'virtiofsd left running'));
        const qemuOutput = (await readFile(files.qemuLog, 'utf8').catch(() => '')).trim().split('\n').slice(-5).join('\n');
        await removeRunFiles(pod.runDir, false, socketsOf(devices));
        if (createdRunDir) await rmdir(pod.runDir).catch(() => {});
        if (err instanceof EngineError && (err.code === 'INVALID_CONFIG' || err.code === 'NOT_SUPPORTED')) throw err;
        const reason = err instanceof Error ? err.message : String(err);
        const code = err instanceof EngineError ? err.code : 'HYPERVISOR_FAILED';
        throw new EngineError(code, `QEMU failed to start for pod ${pod.id}: ${reason}${qemuOutput ? `\n${qemuOutput}` : ''}`, undefined, { cause: err });
      } finally {
        // QEMU holds its own copies of the macvtap fds; ours are not needed any more.
        for (const fd of fds) closeSync(fd);
      }
    },

    async stopVm(pod) {
      const vm = vmState(pod);
      const ours = ourQemu(vm?.qmpSocket ?? '', host);
      if (vm && (await ours(vm.pid))) {
        await qmpQuit(vm.qmpSocket).catch((err) => pod.log.warn({ err }, 'QMP quit failed, signalling QEMU'));
        const gone = (await host.waitForExit(vm.pid, ours, 5_000)) || (await host.terminate(vm.pid, ours));
        if (!gone) throw new EngineError('HYPERVISOR_FAILED', `QEMU (pid ${vm.pid}) of pod ${pod.id} does not exit`);
      }
      // Whether QEMU was still there or not (kill -9): they exit once it is gone, or are made to.
      await stopVirtiofsds(host, vm?.virtiofsd ?? []);
      const portFiles = Object.values(vm?.endpoints.serialFiles ?? {}).flatMap((f) => [f.output, f.input]);
      const sockets = [...Object.values(vm?.endpoints.serialPorts ?? {}), ...portFiles, ...(vm?.virtiofsd ?? []).map((d) => d.socketPath)];
      await removeRunFiles(pod.runDir, true, sockets);
    },

    async pauseVm(pod) {
      await qmpControl(host, pod, 'stop');
    },

    async resumeVm(pod) {
      await qmpControl(host, pod, 'cont');
    },

    async check(pod): Promise<VmLiveness> {
      const vm = vmState(pod);
      if (!vm || !(await isOurQemu(vm.pid, vm.qmpSocket, host))) return 'dead';
      // QEMU 7.2 cannot reconnect a vhost-user-fs device to a new daemon: once a share's virtiofsd
      // is gone, every guest access to that share hangs for good. Kata stops the VM then; so do we,
      // rather than report a running pod whose calls time out.
      for (const d of vm.virtiofsd) {
        if (!(await ourVirtiofsd(host, d.socketPath)(d.pid))) return { dead: `virtiofsd of share ${d.tag} (pid ${d.pid}) is gone and QEMU cannot reconnect the share (every access to it would hang)` };
      }
      try {
        const { status } = (await qmpCommand(vm.qmpSocket, 'query-status', 2_000)) as { status: string };
        if (status === 'running') return 'running';
        return GUEST_GONE_STATUSES.has(status) ? 'dead' : 'paused'; // paused, suspended, io-error, ...
      } catch (err) {
        // The process is there but QMP is busy or slow: do not declare a live VM dead.
        pod.log.warn({ err }, 'QMP query-status failed; the QEMU process is alive');
        return (await isOurQemu(vm.pid, vm.qmpSocket, host)) ? 'running' : 'dead';
      }
    },

    info(pod) {
      const vm = vmState(pod);
      if (!vm) return null;
      const nics = Object.entries(vm.endpoints.nics).map(([id, nic]) => ({ id, ...nic }));
      return { pid: vm.pid, accelerator: vm.accelerator, consoleLog: vm.consoleLog, nics, sharedFs: vm.sharedFs, boot: vm.boot };
    },

    endpoints(pod) {
      return vmState(pod)?.endpoints ?? null;
    },

    // The paths resolveDevices gives them, for a cold boot and a clone alike (both in the pod's run dir).
    plannedSerialSockets(pod, plan) {
      const ports = plan.devices.flatMap((d) => (d.kind === 'serialPort' ? [resolveSerialPort(d, pod.runDir)] : []));
      return endpointsOf(ports).serialPorts;
    },

    defaults: () => qemuDefaults(),
  };
}
