// A scriptable host for logic tests: records every program it is asked to run or spawn, answers
// from rules (newest first) and succeeds with empty output when none matches. Files exist, mounts
// are mounted and spawned processes live only as the test says. It records each step the engine
// announces and applies the fault plan there (faults.ts), once per planned step.
import { deriveHost } from './derived.js';
import { die, FAULT_ENV, injectedFailure, parseFaults, type FaultPlan } from './faults.js';
import type { FileInfo, Host, RunOptions, RunResult, SpawnOptions } from './types.js';

export interface FakeCall {
  cmd: string;
  args: string[];
  opts: RunOptions & SpawnOptions;
  /** `cmd args…` with CNI_COMMAND in front for plugins: what rules and assertions match against. */
  line: string;
}
type Answer = Partial<RunResult> | ((call: FakeCall) => Partial<RunResult>);

export interface FakeHost extends Host {
  calls: FakeCall[];
  /** Answer calls whose line matches; `times` limits how often (then the rule is dropped). */
  on(match: RegExp | ((call: FakeCall) => boolean), answer: Answer, times?: number): FakeHost;
  files: Map<string, FileInfo>;
  /** Mount points, in mount order (a target mounted twice is listed twice). */
  mounts: string[];
  /** Live spawned processes by PID. */
  processes: Map<number, string[]>;
  /** Every step announced so far, in order. */
  steps: string[];
  /** Steps still to fail or die at; each is dropped once it fires. */
  faults: FaultPlan;
  /** Lines of the calls so far that match. */
  lines(match?: RegExp): string[];
}

export const FAKE_FILE: FileInfo = { kind: 'file', major: 0, minor: 0, executable: true };
/** Above any Linux pid_max: a fake PID is never a real process. */
const FIRST_FAKE_PID = 5_000_000;

export function createFakeHost(opts: { faults?: string } = {}): FakeHost {
  const rules: { match: (c: FakeCall) => boolean; answer: Answer; left: number }[] = [];
  const exits = new Map<number, (how: string) => void>();
  let nextPid = FIRST_FAKE_PID;
  const record = (cmd: string, args: string[], o: RunOptions & SpawnOptions): FakeCall => {
    const call = { cmd, args, opts: o, line: [o.env?.['CNI_COMMAND'], cmd, ...args].filter(Boolean).join(' ') };
    fake.calls.push(call);
    return call;
  };
  const answer = (call: FakeCall): RunResult => {
    const rule = rules.find((r) => r.left > 0 && r.match(call));
    if (!rule) return { stdout: '', stderr: '', exitCode: 0 };
    rule.left--;
    const a = typeof rule.answer === 'function' ? rule.answer(call) : rule.answer;
    return { stdout: a.stdout ?? '', stderr: a.stderr ?? '', exitCode: a.exitCode ?? 0 };
  };
  /** mount and umount change the fake's table when they succeed, as on a real host. */
  const applyMount = (call: FakeCall) => {
    const target = call.args.at(-1)!;
    if (call.cmd === 'mount' && !call.args.some((a) => a.startsWith('remount'))) fake.mounts.push(target);
    if (call.cmd === 'umount' && fake.mounts.includes(target)) fake.mounts.splice(fake.mounts.lastIndexOf(target), 1);
  };
  const host = deriveHost({
    async run(cmd, args, o = {}) {
      const call = record(cmd, args, o);
      const result = answer(call);
      if (result.exitCode === 0) applyMount(call);
      return result;
    },
    async spawn(cmd, args, o = {}) {
      const call = record(cmd, args, o);
      const result = answer(call);
      if (result.exitCode !== 0) throw new Error(`could not run ${cmd}: ${result.stderr || `exit ${result.exitCode}`}`);
      const pid = nextPid++;
      fake.processes.set(pid, [cmd, ...args]);
      return { pid, exited: new Promise<string>((resolve) => exits.set(pid, resolve)) };
    },
    stat: async (path) => fake.files.get(path) ?? null,
    cmdline: async (pid) => fake.processes.get(pid) ?? null,
    // A fake process is gone the moment it is signalled: none lingers with exiting threads.
    exiting: async () => false,
    signal(pid, signal) {
      if (!fake.processes.delete(pid)) return false;
      exits.get(pid)?.(`killed by ${signal}`);
      return true;
    },
    readMountinfo: async () => fake.mounts.map((m, i) => `${100 + i} 1 0:1 / ${m.replace(/[ \t\n\\]/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`)} rw - fake fake rw`).join('\n'),
    async checkpoint(step) {
      fake.steps.push(step);
      const action = fake.faults.get(step);
      if (!action) return;
      fake.faults.delete(step);
      if (action === 'die') await die();
      throw injectedFailure(step);
    },
  });
  const fake: FakeHost = {
    ...host,
    calls: [],
    files: new Map(),
    mounts: [],
    processes: new Map(),
    steps: [],
    faults: parseFaults(opts.faults ?? process.env[FAULT_ENV]),
    on(match, a, times = Infinity) {
      rules.unshift({ match: typeof match === 'function' ? match : (c) => match.test(c.line), answer: a, left: times });
      return fake;
    },
    lines: (match) => fake.calls.map((c) => c.line).filter((l) => !match || match.test(l)),
  };
  return fake;
}
