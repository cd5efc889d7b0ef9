// An agent driver talks to the guest (through a proxy, where the agent type needs one) and
// starts a shim for every container process, as upstream's agent interface does.
import type { Cmd, Process, ProcessListOptions } from '../../types.js';
import type { GuestNetwork, VmDevice, VmEndpoints } from '../devices.js';
import type { ProxyHandle } from '../proxy/types.js';
import type { ContainerContext, DriverState, PodContext } from '../types.js';

export interface ProcessExit {
  exitCode: number;
}

/** Live stdio of one container process. */
export interface ProcessIo {
  stdout: NodeJS.ReadableStream;
  stderr: NodeJS.ReadableStream;
  writeStdin(data: Buffer | string): Promise<void>;
  closeStdin(): Promise<void>;
  resize(rows: number, columns: number): Promise<void>;
  signal(signal: string): Promise<void>;
  /** Resolves with the exit code once the process has exited. */
  wait(): Promise<ProcessExit>;
  /** Detaches from the process without stopping it. */
  close(): void;
}

export interface ContainerProbe {
  /** False once the container's init process has exited. */
  running: boolean;
  exitCode: number | null;
}

/** One container's cgroup figures in the guest, as read at the call. */
export interface ContainerStats {
  containerId: string;
  /** cpu.stat usage_usec: CPU time of all its processes since its cgroup was made. */
  cpuUsageUsec: number | null;
  /** memory.current; null without the memory controller. */
  memoryBytes: number | null;
}

/** The guest's own view: its memory, and each container's cgroup figures, read at the call. */
export interface GuestStats {
  /** From the guest's /proc/meminfo; null where the agent cannot tell. */
  memory: { totalBytes: number; availableBytes: number } | null;
  containers: ContainerStats[];
}

/** What Agent.prelaunch started, handed to startSandbox, or undone when the launch fails first. */
export interface Prelaunched {
  proxy: ProxyHandle;
  undo(): Promise<void>;
}

export interface Agent {
  /** Before boot: the devices this agent needs on the VM (its channel, the shared directory). */
  devices(pod: PodContext): Promise<VmDevice[]>;
  /**
   * After the VM boots: start the proxy on the endpoints the hypervisor returned, then create the
   * sandbox in the guest with its network. Returns agent state to persist.
   */
  startSandbox(pod: PodContext, vm: VmEndpoints, network: GuestNetwork, prelaunched?: Prelaunched | null): Promise<DriverState>;
  /**
   * Optional, while the VM launches: starts the host side the sandbox needs that does not need the
   * guest yet (kata: its proxy, whose Node.js start-up is ~0.1 s of a clone's ~1.2 s), on the
   * sockets the hypervisor will listen on. Null when there is nothing to start early.
   */
  prelaunch?(pod: PodContext, serialSockets: Record<string, string>): Promise<Prelaunched | null>;
  /** Destroys the sandbox and stops the proxy. Must tolerate a guest that is already gone. */
  stopSandbox(pod: PodContext): Promise<void>;
  createContainer(pod: PodContext, c: ContainerContext): Promise<DriverState>;
  /** Starts the container's init; the returned Process carries the shim PID, as upstream. */
  startContainer(pod: PodContext, c: ContainerContext): Promise<{ process: Process; agentState: DriverState }>;
  /** Kills what is left in the container and removes it from the guest. */
  stopContainer(pod: PodContext, c: ContainerContext): Promise<void>;
  signalContainer(pod: PodContext, c: ContainerContext, signal: string, all: boolean): Promise<void>;
  exec(pod: PodContext, c: ContainerContext, cmd: Cmd): Promise<Process>;
  processList(pod: PodContext, c: ContainerContext, options: ProcessListOptions): Promise<string>;
  /** Attaches to a process started by startContainer or exec (token from its Process). */
  attach(pod: PodContext, c: ContainerContext, token: string): Promise<ProcessIo>;
  probeContainer(pod: PodContext, c: ContainerContext): Promise<ContainerProbe>;
  /**
   * Optional: the guest's memory and every container's figures from its cgroups, for the metrics
   * sampler (containers without a cgroup left out). Absent where the protocol has no such command.
   */
  guestStats?(pod: PodContext): Promise<GuestStats>;
  /**
   * Optional: run in a template VM before its memory is saved (no proxy, no shims: `vm` is the
   * template's own endpoints). Makes the calls a clone will make, once, so that every clone starts
   * with their code compiled and their binaries cached; it must leave no container or sandbox behind.
   */
  warmTemplate?(vm: VmEndpoints): Promise<void>;
}
