// A scriptable NetHost for logic tests: records every call, answers from rules (newest first),
// and succeeds with empty output when no rule matches. Files exist only when the test says so.
import type { FileInfo, NetHost, RunOptions, RunResult } from './host.js';

export interface FakeCall {
  cmd: string;
  args: string[];
  opts: RunOptions;
  /** `cmd args…` with CNI_COMMAND in front for plugins: what rules and assertions match against. */
  line: string;
}
type Answer = Partial<RunResult> | ((call: FakeCall) => Partial<RunResult>);

export interface FakeNetHost extends NetHost {
  calls: FakeCall[];
  /** Answer calls whose line matches; `times` limits how often (then the rule is dropped). */
  on(match: RegExp | ((call: FakeCall) => boolean), answer: Answer, times?: number): FakeNetHost;
  files: Map<string, FileInfo>;
  /** Lines of the calls so far that match. */
  lines(match?: RegExp): string[];
}

export const FAKE_FILE: FileInfo = { kind: 'file', major: 0, minor: 0, executable: true };

export function createFakeNetHost(): FakeNetHost {
  const rules: { match: (c: FakeCall) => boolean; answer: Answer; left: number }[] = [];
  const fake: FakeNetHost = {
    calls: [],
    files: new Map(),
    on(match, answer, times = Infinity) {
      rules.unshift({ match: typeof match === 'function' ? match : (c) => match.test(c.line), answer, left: times });
      return fake;
    },
    lines(match) {
      return fake.calls.map((c) => c.line).filter((l) => !match || match.test(l));
    },
    async run(cmd, args, opts = {}): Promise<RunResult> {
      const command = opts.env?.['CNI_COMMAND'];
      const call: FakeCall = { cmd, args, opts, line: [command, cmd, ...args].filter(Boolean).join(' ') };
      fake.calls.push(call);
      const rule = rules.find((r) => r.left > 0 && r.match(call));
      if (!rule) return { stdout: '', stderr: '', exitCode: 0 };
      rule.left--;
      const a = typeof rule.answer === 'function' ? rule.answer(call) : rule.answer;
      return { stdout: a.stdout ?? '', stderr: a.stderr ?? '', exitCode: a.exitCode ?? 0 };
    },
    async stat(path) {
      return fake.files.get(path) ?? null;
    },
  };
  return fake;
}
