// The agent's containers: OCI bundles under the state dir, one crun child per running process
// (crun stays in the foreground so it reaps the process and hands us its exit code).
import { existsSync, writeFileSync } from 'node:fs';
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProtocolError } from '../protocol/messages.js';
import type { ContainerMount, ProcessSpec } from '../protocol/ops.js';
import type { ContainerDevice, GuestBlock } from '../protocol/devices.js';
import { ociMounts } from './container-mounts.js';
import { mountBlockRootfs, ociDevices, unmountBlockRootfs } from './devices.js';
import { ContainerProcess, type StreamName } from './container-process.js';
import { NETWORK_FILES } from './network.js';
import { readContainerCgroup } from './guest-stats.js';
import { buildConfig, buildProcess } from './oci-spec.js';
import { parsePsTable } from './ps.js';
import { crunArgs, runCommand, type RuntimeOptions } from './runtime.js';
import type { MountedVolumes } from './volumes.js';

export interface ProcessEvents {
  output(containerId: string, execId: string, stream: StreamName, offset: number, data: Buffer): void;
  exit(containerId: string, execId: string, exitCode: number): void;
}

interface Container {
  id: string;
  bundle: string;
  rootfs: string;
  init: ContainerProcess | null;
  execs: Map<string, ContainerProcess>;
  spec: ProcessSpec;
  /** The rootfs is a plugged disk mounted at `rootfs` (devices.ts), unmounted on remove. */
  blockRootfs: boolean;
}

export type ContainerState = 'created' | 'running' | 'stopped';

export class ContainerManager {
  private readonly containers = new Map<string, Container>();
  hostname = '';
  /** Set once the sandbox wrote the pod's hosts, resolv.conf and hostname: containers bind-mount them. */
  networkFilesDir: string | null = null;
  /** Set once the sandbox mounted the pod's volumes: container mounts bind from them. */
  volumes: MountedVolumes = new Map();

  constructor(
    private readonly runtime: RuntimeOptions,
    private readonly stateDir: string,
    private readonly sharedDir: string,
    private readonly events: ProcessEvents,
  ) {}

  /**
   * The pod's network files this container can take: crun makes a missing mount point itself,
   * except in a read-only rootfs, which then keeps what it has (or lacks) there.
   */
  private networkFilesFor(rootfs: string, readonlyRootfs: boolean): { dir: string; names: string[] } | null {
    if (!this.networkFilesDir) return null;
    const names = NETWORK_FILES.filter((name) => !readonlyRootfs || existsSync(join(rootfs, 'etc', name)));
    return { dir: this.networkFilesDir, names };
  }

  ids(): string[] {
    return [...this.containers.keys()];
  }

  async create(containerId: string, readonlyRootfs: boolean, spec: ProcessSpec, containerMounts: ContainerMount[], devices: ContainerDevice[] = [], rootfsBlock: GuestBlock | null = null): Promise<void> {
    if (this.containers.has(containerId)) throw new ProtocolError('ALREADY_EXISTS', `container "${containerId}" already exists`);
    const rootfs = rootfsBlock ? join(this.stateDir, 'rootfs', containerId) : join(this.sharedDir, containerId, 'rootfs');
    const bundle = join(this.stateDir, 'bundles', containerId);
    if (rootfsBlock) await mountBlockRootfs(rootfsBlock, rootfs, readonlyRootfs, this.runtime.modprobe);
    try {
      const process = await buildProcess(rootfs, spec);
      const mounts = await ociMounts(containerMounts, { sharedDir: this.sharedDir, volumes: this.volumes });
      const nodes = await ociDevices(devices, '/sys', this.runtime.modprobe);
      await mkdir(bundle, { recursive: true });
      const config = buildConfig({ containerId, rootfs, readonlyRootfs, hostname: this.hostname, process, networkFiles: this.networkFilesFor(rootfs, readonlyRootfs), mounts, devices: nodes });
      await writeFile(join(bundle, 'config.json'), JSON.stringify(config));
    } catch (err) {
      if (rootfsBlock) await unmountBlockRootfs(rootfs);
      throw err;
    }
    this.containers.set(containerId, { id: containerId, bundle, rootfs, init: null, execs: new Map(), spec, blockRootfs: rootfsBlock !== null });
  }

  async start(containerId: string): Promise<number> {
    const c = this.get(containerId);
    if (c.init) throw new ProtocolError('INVALID_STATE', `container "${containerId}" was already started`);
    const pidFile = join(c.bundle, 'init.pid');
    const run = ['run', ...(this.runtime.noPivot ? ['--no-pivot'] : []), '--bundle', c.bundle, '--pid-file', pidFile, containerId];
    c.init = await this.spawn(c, containerId, c.spec, crunArgs(this.runtime, ...run), pidFile);
    return c.init.pid;
  }

  async exec(containerId: string, execId: string, spec: ProcessSpec): Promise<number> {
    const c = this.get(containerId);
    if (this.state(c) !== 'running') throw new ProtocolError('INVALID_STATE', `container "${containerId}" is not running`);
    if (execId === containerId || c.execs.has(execId)) throw new ProtocolError('ALREADY_EXISTS', `process "${execId}" already exists`);
    const processFile = join(c.bundle, `exec-${execId}.json`);
    const pidFile = join(c.bundle, `exec-${execId}.pid`);
    const built = await buildProcess(c.rootfs, spec);
    writeFileSync(processFile, JSON.stringify(built));
    const args = crunArgs(this.runtime, 'exec', '--process', processFile, '--pid-file', pidFile, containerId);
    const proc = await this.spawn(c, execId, spec, args, pidFile);
    c.execs.set(execId, proc);
    return proc.pid;
  }

  status(containerId: string): { status: ContainerState; pid: number; exitCode: number | null } {
    const c = this.get(containerId);
    return { status: this.state(c), pid: c.init?.pid ?? 0, exitCode: c.init?.exitCode ?? null };
  }

  process(containerId: string, execId: string): ContainerProcess {
    const c = this.get(containerId);
    const proc = execId === containerId ? c.init : c.execs.get(execId);
    if (!proc) throw new ProtocolError('NOT_FOUND', `process "${execId}" of container "${containerId}" not found`);
    return proc;
  }

  /** An empty execId signals every process of the container; a container never started ignores signals. */
  async signal(containerId: string, execId: string, signal: NodeJS.Signals | number): Promise<void> {
    const c = this.get(containerId);
    if (execId) return this.process(containerId, execId).signal(signal);
    if (this.state(c) !== 'running') return;
    // crun finds every process through the cgroup (also ones we did not start); without a cgroup
    // manager it finds none, so the processes we know are signalled directly as well.
    await runCommand(this.runtime.crun, crunArgs(this.runtime, 'kill', '--all', containerId, String(signal)));
    for (const proc of [c.init!, ...c.execs.values()]) proc.signal(signal);
  }

  async listProcesses(containerId: string, format: 'table' | 'json', args: string[]) {
    const c = this.get(containerId);
    if (this.state(c) !== 'running') throw new ProtocolError('INVALID_STATE', `container "${containerId}" is not running`);
    const psArgs = args.length || format === 'table' ? args : ['-o', 'pid,ppid,user,args'];
    const result = await runCommand(this.runtime.crun, crunArgs(this.runtime, 'exec', containerId, 'ps', ...psArgs));
    if (result.code !== 0) throw new ProtocolError('RUNTIME_FAILED', `ps in container "${containerId}" failed: ${result.stderr.trim()}`);
    return format === 'json' ? { output: result.stdout, processes: parsePsTable(result.stdout) } : { output: result.stdout };
  }

  /** Every known container's cgroup figures; those without a cgroup (never started, cgroups off) are left out. */
  async stats(): Promise<{ containerId: string; cpuUsageUsec: number | null; memoryBytes: number | null }[]> {
    const read = await Promise.all(this.ids().map(async (containerId) => ({ containerId, figures: await readContainerCgroup(containerId) })));
    return read.flatMap(({ containerId, figures }) => (figures ? [{ containerId, ...figures }] : []));
  }

  /** Kills whatever is left, waits up to timeoutMs for it to go, and forgets the container. */
  async remove(containerId: string, timeoutMs: number): Promise<void> {
    const c = this.get(containerId);
    const live = [c.init, ...c.execs.values()].filter((p): p is ContainerProcess => !!p && p.exitCode === null);
    if (live.length) {
      await this.signal(containerId, '', 'SIGKILL');
      const allGone = Promise.all(live.map((p) => p.exited));
      if ((await Promise.race([allGone.then(() => true), sleep(timeoutMs).then(() => false)])) === false) {
        throw new ProtocolError('TIMEOUT', `processes of container "${containerId}" did not exit within ${timeoutMs} ms`);
      }
    }
    await runCommand(this.runtime.crun, crunArgs(this.runtime, 'delete', '-f', containerId));
    await rm(c.bundle, { recursive: true, force: true });
    // Before the host unplugs the disk: a filesystem yanked from under the kernel logs errors.
    if (c.blockRootfs) await unmountBlockRootfs(c.rootfs);
    this.containers.delete(containerId);
  }

  async removeAll(timeoutMs: number): Promise<void> {
    await Promise.allSettled(this.ids().map((id) => this.remove(id, timeoutMs)));
  }

  private state(c: Container): ContainerState {
    if (!c.init) return 'created';
    return c.init.exitCode === null ? 'running' : 'stopped';
  }

  private spawn(c: Container, execId: string, spec: ProcessSpec, args: string[], pidFile: string): Promise<ContainerProcess> {
    return ContainerProcess.spawn(this.runtime, {
      crunArgs: args,
      pidFile,
      terminal: spec.terminal,
      stdin: spec.stdin,
      onOutput: (stream, offset, data) => this.events.output(c.id, execId, stream, offset, data),
      onExit: (code) => this.events.exit(c.id, execId, code),
    });
  }

  private get(containerId: string): Container {
    const c = this.containers.get(containerId);
    if (!c) throw new ProtocolError('NOT_FOUND', `container "${containerId}" not found`);
    return c;
  }
}

/**
 * A restarted agent knows none of the containers its predecessor ran: before serving, kill and
 * delete whatever crun still lists (killing the init ends its whole pid namespace), so nothing
 * keeps running that the host can no longer see or stop.
 */
export async function reapOrphanContainers(runtime: RuntimeOptions, stateDir: string): Promise<void> {
  const listed = await runCommand(runtime.crun, crunArgs(runtime, 'list', '-q'));
  for (const id of listed.stdout.split('\n').filter(Boolean)) {
    await runCommand(runtime.crun, crunArgs(runtime, 'kill', id, 'KILL'));
    await runCommand(runtime.crun, crunArgs(runtime, 'delete', '-f', id));
  }
  await rm(join(stateDir, 'bundles'), { recursive: true, force: true });
  // Rootfs disks the predecessor mounted: the host unplugs them when it removes their containers.
  const rootfsDir = join(stateDir, 'rootfs');
  for (const id of await readdir(rootfsDir).catch(() => [] as string[])) await unmountBlockRootfs(join(rootfsDir, id));
}
