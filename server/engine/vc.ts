// The engine's public contract: the virtcontainers 1.0 `VC`, `VCPod` and `VCContainer` interfaces
// (upstream interfaces.go), in TypeScript. Each call's doc names the states it accepts, as the
// table in state.ts, which the engine's call skeleton enforces, says.
import type { GuestStats, ProcessIo } from './drivers/agent/types.js';
import type { DoctorOptions, DoctorReport } from './doctor/types.js';
import type { TemplateInfo } from './templates/types.js';
import type { PodEvent } from './events.js';
import type { ProgressListener } from './progress.js';
import type {
  CmdInput,
  ContainerConfig,
  ContainerConfigInput,
  ContainerStatus,
  PodConfig,
  PodConfigInput,
  PodStatus,
  Process,
  ProcessListOptions,
  State,
} from './types.js';

export interface VCPod {
  id(): string;
  state(): State;
  config(): PodConfig;
  annotation(key: string): string;
  getAnnotations(): Record<string, string>;
  /** Merges into the pod's annotations and persists them. */
  setAnnotations(annotations: Record<string, string>): Promise<void>;
  getAllContainers(): VCContainer[];
  getContainer(id: string): VCContainer | undefined;
}

export interface VCContainer {
  id(): string;
  pod(): VCPod;
  state(): State;
  config(): ContainerConfig;
  getAnnotations(): Record<string, string>;
  getPid(): number;
  getToken(): string;
  process(): Process;
  /** Overrides the recorded PID (upstream SetPid) and persists it. */
  setPid(pid: number): Promise<void>;
}

export interface EnterResult {
  pod: VCPod;
  container: VCContainer;
  process: Process;
}

/** A pod as recorded, for lists: no VM probed, no container or event read. */
export interface PodSummary {
  id: string;
  /** The recorded state (statusPod and listPod observe the VM; this does not). */
  state: State;
  /** Its config without containers. */
  config: PodConfig;
  createdAt: string;
  /** When the pod last entered `running`, else null. */
  runningSince: string | null;
}

export interface VC {
  /** Boots the pod's VM and creates its containers; the pod ends `ready`. Rolls back on failure. */
  createPod(config: PodConfigInput): Promise<VCPod>;
  /** Pod `ready`, `paused` or `stopped`; containers `ready` or `stopped`. Stops a VM still running. */
  deletePod(podId: string): Promise<VCPod>;
  /** Pod `ready` or `stopped` → `running` (a stopped pod's VM is booted again); starts every container. */
  startPod(podId: string): Promise<VCPod>;
  /** Pod `ready`, `running` or `paused` → `stopped`; stops every container, then the VM. */
  stopPod(podId: string): Promise<VCPod>;
  /** createPod, then startPod. */
  runPod(config: PodConfigInput): Promise<VCPod>;
  listPod(): Promise<PodStatus[]>;
  /** A handle on an existing pod (KR's FetchSandbox), e.g. to read or set its annotations. */
  fetchPod(podId: string): Promise<VCPod>;
  statusPod(podId: string): Promise<PodStatus>;
  /** Pod `running` → `paused`; running containers follow. */
  pausePod(podId: string): Promise<VCPod>;
  /** Pod `paused` → `running`; paused containers follow. */
  resumePod(podId: string): Promise<VCPod>;

  /** Pod `ready` or `running`; the container is created `ready`. */
  createContainer(podId: string, config: ContainerConfigInput): Promise<{ pod: VCPod; container: VCContainer }>;
  /** Container `ready` or `stopped`. */
  deleteContainer(podId: string, containerId: string): Promise<VCContainer>;
  /** Pod `running`; container `ready` or `stopped` → `running`. */
  startContainer(podId: string, containerId: string): Promise<VCContainer>;
  /** Pod `ready` or `running`; container `ready`, `running` or `paused` → `stopped` (already stopped: no-op). */
  stopContainer(podId: string, containerId: string): Promise<VCContainer>;
  /** Pod and container `running`: runs `cmd` as a new process in the container. */
  enterContainer(podId: string, containerId: string, cmd: CmdInput): Promise<EnterResult>;
  statusContainer(podId: string, containerId: string): Promise<ContainerStatus>;
  /** Pod `ready` or `running`; container `ready` or `running`. `all` signals every process. */
  killContainer(podId: string, containerId: string, signal: string | number, all: boolean): Promise<void>;
  /** Pod and container `running`: `ps` inside the container, as JSON or a table. */
  processListContainer(podId: string, containerId: string, options: Partial<ProcessListOptions>): Promise<string>;

  /**
   * Podvisor addition: pod `running`; the guest's memory as it sees it, and each container's CPU time
   * and memory from the guest's cgroups (the metrics sampler's guest figures). NOT_SUPPORTED where
   * the agent cannot tell (hyperstart).
   */
  podGuestStats(podId: string): Promise<GuestStats>;
  /** Podvisor addition: pod `running`; streams the stdio of a process returned by startContainer or enterContainer. */
  attachProcess(podId: string, containerId: string, token: string): Promise<ProcessIo>;
  /** Podvisor addition: puts what an adapter did (e.g. a terminal session) on the pod's timeline. */
  recordPodEvent(podId: string, event: { call: string; containerId?: string | null; message: string; failed?: boolean }): Promise<void>;
  /** Podvisor addition: every pod as recorded with when it last started, in a fixed number of store reads however many pods. */
  listPodSummaries(): Promise<PodSummary[]>;
  /** Podvisor addition: the pod's timeline, newest last. */
  listPodEvents(podId: string, options?: { limit?: number }): Promise<PodEvent[]>;
  /** Podvisor addition: the folders host paths in configs must resolve into — the admin's list, else the defaults. */
  hostPathRoots(): Promise<string[]>;
  /** Podvisor addition: replaces the admin's list (1 to 64 existing directories); returns it realpath'd, without duplicates. */
  setHostPathRoots(roots: string[]): Promise<string[]>;
  /** Podvisor addition: glob patterns of host devices configs may name — the admin's list, else PODVISOR_HOST_DEVICES (empty: none). */
  hostDevicePatterns(): Promise<string[]>;
  /** Podvisor addition: replaces the admin's device patterns (0 to 64 absolute globs); returns them without duplicates. */
  setHostDevicePatterns(patterns: string[]): Promise<string[]>;
  /** Podvisor addition: reconciles the store with the host (dead VMs, orphan processes, run dirs, netns, stale locks); `fix` repairs. */
  doctor(options?: DoctorOptions): Promise<DoctorReport>;
  /** Podvisor addition: the VM templates pods are cloned from (key, size, age, clones using each). */
  listTemplates(): Promise<TemplateInfo[]>;
  /** Podvisor addition: builds the template a pod with this config would clone (NOT_SUPPORTED when it would boot cold). */
  buildTemplate(config: PodConfigInput): Promise<TemplateInfo>;
  /** Podvisor addition: removes a template; INVALID_STATE while a clone maps it. */
  removeTemplate(key: string): Promise<void>;
  /** Podvisor addition: a number that grows with every recorded change, from any process; cheap to poll. */
  generation(): Promise<number>;
  /**
   * Podvisor addition: `listener` hears every step of this engine's mutating calls as it starts and
   * ends (progress.ts), e.g. to show a boot's progress; returns the function that stops listening.
   */
  onProgress(listener: ProgressListener): () => void;
  /** Releases the store connection. Pods keep running. */
  close(): Promise<void>;
}
