// The containerd.task.v2.Task service on Podvisor: a thin adapter over the console's own API
// procedures (through the CLI's local connection, so each call is validated, on the pod's timeline
// and audited as podvisor's are). One daemon serves one pod: the containers of one CRI sandbox
// (annotation io.kubernetes.cri.sandbox-id), else one container. The bundle's config.json goes
// through the same OCI mapping as podvisor-oci (server/oci/spec.ts); the rootfs mounts containerd
// sends are made on the host at <bundle>/rootfs and shared into the VM from there.
import { readFile } from 'node:fs/promises';
import { constants as os } from 'node:os';
import path from 'node:path';
import type { Connection } from '../cli/client.js';
import { linuxHost } from '../engine/host/linux.js';
import { EngineError, type ProcessIo } from '../engine/index.js';
import { ociProcessToCmd, ociToPodConfig } from '../oci/spec.js';
import { wireFifos, type WiredIo } from './io.js';
import { STATUS, timestamp } from './proto.js';
import { CODE, TtrpcError } from './ttrpc.js';

/** The annotation CRI puts on every container of a sandbox (the sandbox's own included). */
export const SANDBOX_ANNOTATION = 'io.kubernetes.cri.sandbox-id';

type Status = keyof typeof STATUS;
interface Proc {
  execId: string;
  pid: number;
  status: Status;
  exitStatus: number;
  exitedAt: Date | null;
  stdio: { stdin: string; stdout: string; stderr: string };
  /** The guest gives the process a pty; its output is all on stdout, containerd's console. */
  terminal: boolean;
  /** A ResizePty that came before the process started, applied once it has. */
  size: { rows: number; columns: number } | null;
  /** An exec's process.json, until it starts. */
  spec: unknown;
  wired: WiredIo | null;
  io: ProcessIo | null;
  exit: Promise<void>;
  markExited: (code: number) => void;
}
interface Task {
  id: string;
  bundle: string;
  rootfsMounted: string | null;
  init: Proc;
  execs: Map<string, Proc>;
}

export type Publish = (topic: string, type: string, event: Record<string, unknown>) => void;

function newProc(execId: string, stdio: Proc['stdio'], terminal: boolean, spec: unknown = null): Proc {
  let markExited!: (code: number) => void;
  const proc = { execId, pid: 0, status: 'created', exitStatus: 0, exitedAt: null, stdio, terminal, size: null, spec, wired: null, io: null } as unknown as Proc;
  proc.exit = new Promise<void>((resolve) => {
    markExited = (code) => {
      proc.status = 'stopped';
      proc.exitStatus = code;
      proc.exitedAt = new Date();
      resolve();
    };
  });
  proc.markExited = markExited;
  return proc;
}

/**
 * containerd's terminal flag and the spec's process.terminal must agree: the flag says how
 * containerd wired its FIFOs, the spec is what the guest is asked for (ociProcessToCmd).
 */
function checkTerminal(flag: boolean, process: unknown, what: string): void {
  const inSpec = (process as { terminal?: unknown } | undefined)?.terminal === true;
  if (flag !== inSpec) throw new TtrpcError(CODE.invalidArgument, `terminal: the request says ${flag}, ${what} process.terminal ${inSpec}`);
}

const signalName = (n: number) => Object.entries(os.signals).find(([, v]) => v === n)?.[0] ?? String(n);

/** Engine errors in containerd's terms (errdefs from gRPC codes). */
export function ttrpcErrorOf(err: unknown): TtrpcError {
  if (err instanceof TtrpcError) return err;
  if (err instanceof EngineError) {
    const code = {
      POD_NOT_FOUND: CODE.notFound,
      CONTAINER_NOT_FOUND: CODE.notFound,
      POD_EXISTS: CODE.alreadyExists,
      CONTAINER_EXISTS: CODE.alreadyExists,
      INVALID_STATE: CODE.failedPrecondition,
      INVALID_CONFIG: CODE.invalidArgument,
      INVALID_ARGUMENT: CODE.invalidArgument,
      NOT_SUPPORTED: CODE.unimplemented,
    }[err.code as string];
    return new TtrpcError(code ?? CODE.internal, `${err.code}: ${err.message}`);
  }
  return new TtrpcError(CODE.internal, err instanceof Error ? err.message : String(err));
}

export class TaskService {
  private readonly tasks = new Map<string, Task>();

  constructor(
    private readonly api: Connection,
    /** The pod this daemon serves: the sandbox ID, else the first container's. */
    private readonly podId: string,
    private readonly publish: Publish,
  ) {}

  get empty(): boolean {
    return this.tasks.size === 0;
  }

  private task(id: string): Task {
    const t = this.tasks.get(id);
    if (!t) throw new TtrpcError(CODE.notFound, `task ${id} not found`);
    return t;
  }

  private proc(id: string, execId: string): Proc {
    const t = this.task(id);
    if (!execId) return t.init;
    const p = t.execs.get(execId);
    if (!p) throw new TtrpcError(CODE.notFound, `process ${execId} of task ${id} not found`);
    return p;
  }

  private async podState(): Promise<string | null> {
    try {
      return (await this.api.api.pod.status.query({ podId: this.podId })).state;
    } catch (err) {
      if (this.api.errorOf(err).code === 'POD_NOT_FOUND') return null;
      throw err;
    }
  }

  async create(req: { id: string; bundle: string; rootfs: { type: string; source: string; options: string[] }[]; terminal: boolean; stdin: string; stdout: string; stderr: string; checkpoint: string }): Promise<{ pid: number }> {
    if (req.checkpoint) throw new TtrpcError(CODE.unimplemented, 'checkpoint: restoring from a checkpoint is not supported');
    if (this.tasks.has(req.id)) throw new TtrpcError(CODE.alreadyExists, `task ${req.id} exists`);
    if (req.rootfs.length > 1) throw new TtrpcError(CODE.unimplemented, 'rootfs: more than one mount is not supported');
    const spec = JSON.parse(await readFile(path.join(req.bundle, 'config.json'), 'utf8')) as { root: { path: string }; process?: unknown };
    checkTerminal(req.terminal, spec.process, "config.json's");
    spec.root.path = path.resolve(req.bundle, spec.root.path);
    const { config } = ociToPodConfig(spec, { id: req.id, bundle: req.bundle, inSandbox: true });
    let rootfsMounted: string | null = null;
    const [m] = req.rootfs;
    if (m) {
      await linuxHost.mount(m.source, spec.root.path, m.type === 'bind' ? { bind: true, options: m.options } : { fstype: m.type, options: m.options });
      rootfsMounted = spec.root.path;
    }
    try {
      if ((await this.podState()) === null) await this.api.api.pod.create.mutate({ ...config, id: this.podId } as Parameters<Connection['api']['pod']['create']['mutate']>[0]);
      else await this.api.api.container.create.mutate({ podId: this.podId, config: config.containers![0]! as Parameters<Connection['api']['container']['create']['mutate']>[0]['config'] });
    } catch (err) {
      if (rootfsMounted) await linuxHost.umount(rootfsMounted, { lazy: true }).catch(() => undefined);
      throw err;
    }
    const task: Task = { id: req.id, bundle: req.bundle, rootfsMounted, init: newProc('', { stdin: req.stdin, stdout: req.stdout, stderr: req.stderr }, req.terminal), execs: new Map() };
    // Until it starts, the task's PID is the VM's: the host process that stands for the pod (as kata's shim answers).
    task.init.pid = (await this.api.api.pod.status.query({ podId: this.podId })).vm?.pid ?? 0;
    this.tasks.set(req.id, task);
    this.publish('/tasks/create', 'TaskCreate', { containerId: req.id, bundle: req.bundle, rootfs: req.rootfs, io: { stdin: req.stdin, stdout: req.stdout, stderr: req.stderr, terminal: req.terminal }, pid: task.init.pid });
    return { pid: task.init.pid };
  }

  private follow(task: Task, proc: Proc, io: ProcessIo): void {
    proc.io = io;
    proc.wired = wireFifos(io, proc.stdio);
    proc.status = 'running';
    if (proc.size) void io.resize(proc.size.rows, proc.size.columns).catch(() => undefined);
    void proc.wired.exited.then((code) => {
      proc.markExited(code);
      this.publish('/tasks/exit', 'TaskExit', { containerId: task.id, id: proc.execId || task.id, pid: proc.pid, exitStatus: code, exitedAt: timestamp(proc.exitedAt!) });
    });
  }

  async start(req: { id: string; execId: string }): Promise<{ pid: number }> {
    const task = this.task(req.id);
    const proc = this.proc(req.id, req.execId);
    if (proc.status !== 'created') throw new TtrpcError(CODE.failedPrecondition, `process ${req.execId || req.id} is ${proc.status}, not created`);
    const vc = this.api.local!.vc;
    let token: string;
    if (!req.execId) {
      if ((await this.podState()) === 'ready') await this.api.api.pod.start.mutate({ podId: this.podId });
      else await this.api.api.container.start.mutate({ podId: this.podId, containerId: task.id });
      const process = (await vc.fetchPod(this.podId)).getContainer(task.id)!.process();
      ({ token } = process);
      proc.pid = process.pid;
    } else {
      const cmd = ociProcessToCmd(proc.spec, [], '');
      const process = await this.api.api.container.enter.mutate({ podId: this.podId, containerId: task.id, cmd: cmd as Parameters<Connection['api']['container']['enter']['mutate']>[0]['cmd'] });
      ({ token } = process);
      proc.pid = process.pid;
    }
    this.follow(task, proc, await vc.attachProcess(this.podId, task.id, token));
    if (req.execId) this.publish('/tasks/exec-started', 'TaskExecStarted', { containerId: task.id, execId: req.execId, pid: proc.pid });
    else this.publish('/tasks/start', 'TaskStart', { containerId: task.id, pid: proc.pid });
    return { pid: proc.pid };
  }

  async exec(req: { id: string; execId: string; terminal: boolean; stdin: string; stdout: string; stderr: string; spec: { value: Buffer } | null }): Promise<void> {
    const task = this.task(req.id);
    if (task.execs.has(req.execId)) throw new TtrpcError(CODE.alreadyExists, `process ${req.execId} exists`);
    const spec = JSON.parse(Buffer.from(req.spec?.value ?? []).toString('utf8')) as unknown;
    checkTerminal(req.terminal, spec, "the exec's");
    ociProcessToCmd(spec, [], ''); // refuse now what cannot run, rather than at Start
    task.execs.set(req.execId, newProc(req.execId, { stdin: req.stdin, stdout: req.stdout, stderr: req.stderr }, req.terminal, spec));
    this.publish('/tasks/exec-added', 'TaskExecAdded', { containerId: req.id, execId: req.execId });
  }

  state(req: { id: string; execId: string }): Record<string, unknown> {
    const task = this.task(req.id);
    const p = this.proc(req.id, req.execId);
    return {
      id: req.execId || req.id,
      bundle: task.bundle,
      pid: p.pid,
      status: STATUS[p.status],
      ...p.stdio,
      terminal: p.terminal,
      exitStatus: p.exitStatus,
      exitedAt: p.exitedAt ? timestamp(p.exitedAt) : null,
      execId: req.execId,
    };
  }

  async wait(req: { id: string; execId: string }): Promise<Record<string, unknown>> {
    const p = this.proc(req.id, req.execId);
    await p.exit;
    return { exitStatus: p.exitStatus, exitedAt: timestamp(p.exitedAt!) };
  }

  async kill(req: { id: string; execId: string; signal: number; all: boolean }): Promise<void> {
    const p = this.proc(req.id, req.execId);
    if (p.status === 'stopped') throw new TtrpcError(CODE.notFound, `process ${req.execId || req.id} has already exited`);
    if (req.execId) {
      if (!p.io) throw new TtrpcError(CODE.failedPrecondition, `process ${req.execId} has not started`);
      await p.io.signal(signalName(req.signal));
      return;
    }
    await this.api.api.container.kill.mutate({ podId: this.podId, containerId: req.id, signal: req.signal, all: req.all });
  }

  async delete(req: { id: string; execId: string }): Promise<Record<string, unknown>> {
    const task = this.task(req.id);
    const p = this.proc(req.id, req.execId);
    if (p.status === 'running' || p.status === 'paused') throw new TtrpcError(CODE.failedPrecondition, `process ${req.execId || req.id} is ${p.status}: kill it first`);
    const answer = { pid: p.pid, exitStatus: p.exitStatus, exitedAt: p.exitedAt ? timestamp(p.exitedAt) : timestamp(new Date()) };
    if (req.execId) {
      task.execs.delete(req.execId);
      return answer;
    }
    this.tasks.delete(req.id);
    if (this.tasks.size === 0) {
      if ((await this.podState()) !== null) {
        if ((await this.podState()) !== 'stopped') await this.api.api.pod.stop.mutate({ podId: this.podId });
        await this.api.api.pod.delete.mutate({ podId: this.podId });
      }
    } else {
      await this.api.api.container.stop.mutate({ podId: this.podId, containerId: req.id });
      await this.api.api.container.delete.mutate({ podId: this.podId, containerId: req.id });
    }
    if (task.rootfsMounted) await linuxHost.umount(task.rootfsMounted);
    this.publish('/tasks/delete', 'TaskDelete', { containerId: req.id, pid: answer.pid, exitStatus: answer.exitStatus, exitedAt: answer.exitedAt, id: req.id });
    return answer;
  }

  pids(req: { id: string }): Record<string, unknown> {
    const task = this.task(req.id);
    const running = [task.init, ...task.execs.values()].filter((p) => p.status === 'running' || p.status === 'paused');
    return { processes: running.map((p) => ({ pid: p.pid })) };
  }

  async pause(req: { id: string }): Promise<void> {
    this.task(req.id);
    await this.api.api.pod.pause.mutate({ podId: this.podId });
    for (const t of this.tasks.values()) for (const p of [t.init, ...t.execs.values()]) if (p.status === 'running') p.status = 'paused';
    this.publish('/tasks/paused', 'TaskPaused', { containerId: req.id });
  }

  async resume(req: { id: string }): Promise<void> {
    this.task(req.id);
    await this.api.api.pod.resume.mutate({ podId: this.podId });
    for (const t of this.tasks.values()) for (const p of [t.init, ...t.execs.values()]) if (p.status === 'paused') p.status = 'running';
    this.publish('/tasks/resumed', 'TaskResumed', { containerId: req.id });
  }

  /** The size of the process's pty in the guest (ctr sends its own terminal's, and again on SIGWINCH). */
  async resizePty(req: { id: string; execId: string; width: number; height: number }): Promise<void> {
    const p = this.proc(req.id, req.execId);
    if (!p.terminal) throw new TtrpcError(CODE.failedPrecondition, `process ${req.execId || req.id} has no terminal`);
    if (p.io) await p.io.resize(req.height, req.width);
    else p.size = { rows: req.height, columns: req.width };
  }

  async closeIo(req: { id: string; execId: string; stdin: boolean }): Promise<void> {
    const p = this.proc(req.id, req.execId);
    if (req.stdin) await p.wired?.closeStdin();
  }

  connect(req: { id: string }): Record<string, unknown> {
    const task = this.tasks.get(req.id);
    return { shimPid: process.pid, taskPid: task?.init.pid ?? 0, version: '2' };
  }
}
