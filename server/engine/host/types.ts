// The host seam: everything the engine and its drivers do to the machine itself (run and spawn
// programs, optionally inside a network namespace; signal and reap processes; read mountinfo; mount
// and unmount). One Linux implementation (linux.ts) and one scriptable fake (fake.ts), so that every
// rollback and observe branch can be driven in the integration tier without touching the host.
import type { Readable } from 'node:stream';

export interface RunOptions {
  /** Run the program inside this network namespace (a path: /run/netns/NAME or any nsfs file). */
  netns?: string;
  input?: string;
  /** Added to the caller's environment; with `cleanEnv`, the whole environment. */
  env?: Record<string, string>;
  cleanEnv?: boolean;
  /** Killed (with everything it started) after this long; default 60 s, 0 for never. */
  timeoutMs?: number;
  /** The program's argv[0] (OCI hooks name it in args[0]); `cmd` by default. */
  argv0?: string;
}
export interface RunResult {
  stdout: string;
  stderr: string;
  exitCode: number;
  /** The timeout fired and the program's process group was killed. */
  timedOut?: boolean;
}

export interface SpawnOptions {
  netns?: string;
  /** stdout and stderr are appended here (stdin closed); without it the child inherits ours. */
  logPath?: string;
  /** Become the child's fds 3, 4, … in order. */
  fds?: number[];
  /** A pipe after `fds` that the child may write to (a readiness announcement). */
  readyPipe?: boolean;
  cwd?: string;
}
export interface Spawned {
  pid: number;
  /** Resolves with a description once the process has exited. */
  exited: Promise<string>;
  /** The parent's end of `readyPipe`. */
  ready?: Readable;
}

export interface FileInfo {
  kind: 'char' | 'file' | 'dir' | 'other';
  /** Device number of a char device, else 0:0. */
  major: number;
  minor: number;
  executable: boolean;
}

/** Whether `pid` is still the process we started: a recorded PID may have been reused since. */
export type IsOurs = (pid: number) => boolean | Promise<boolean>;

export interface TerminateOptions {
  /** How long SIGTERM gets before SIGKILL (default 3 s). */
  graceMs?: number;
  /** How long to wait after SIGKILL (default 3 s). */
  killMs?: number;
}

export interface MountOptions {
  bind?: boolean;
  fstype?: string;
  /** `-o` options (e.g. remount,bind,ro). */
  options?: string[];
}

export interface Host {
  /** Resolves whatever the exit code (CNI plugins report errors as JSON on stdout); rejects only when the program cannot run. */
  run(cmd: string, args: string[], opts?: RunOptions): Promise<RunResult>;
  /** A long-lived child in its own process group, unref'd so the caller may exit while it runs. */
  spawn(cmd: string, args: string[], opts?: SpawnOptions): Promise<Spawned>;
  /** null when nothing is there. */
  stat(path: string): Promise<FileInfo | null>;
  /** The argv of a live process; null when there is none (a zombie's is empty). */
  cmdline(pid: number): Promise<string[] | null>;
  /**
   * True while a process's main thread is a zombie but other threads of it are still exiting: its
   * argv is gone already, yet its sockets and files stay open until the last thread has gone.
   */
  exiting(pid: number): Promise<boolean>;
  /** False when there is no such process. */
  signal(pid: number, signal: NodeJS.Signals): boolean;
  /** Polls until `isOurs` fails and the process is no longer `exiting`; true if that happened within `timeoutMs`. */
  waitForExit(pid: number, isOurs: IsOurs, timeoutMs: number): Promise<boolean>;
  /** SIGTERM, grace, SIGKILL, each only while `isOurs` holds; true once the process is gone. */
  terminate(pid: number, isOurs: IsOurs, opts?: TerminateOptions): Promise<boolean>;
  /** Every mount point, as mountinfo lists them (escapes decoded). */
  mountPoints(): Promise<string[]>;
  isMountPoint(path: string): Promise<boolean>;
  /** Rejects with mount's own words; `source` '' for a remount. */
  mount(source: string, target: string, opts?: MountOptions): Promise<void>;
  umount(target: string, opts?: { lazy?: boolean }): Promise<void>;
  /**
   * Only a fake host has this: the engine announces each step of a call (network.prepare,
   * hypervisor.startVm, …) so that a test's fault plan can fail there or kill the process.
   */
  checkpoint?(step: string): Promise<void>;
}
