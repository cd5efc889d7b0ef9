// The CLI's start-up cost: `podvisor --help` (no engine loaded) and `podvisor pod list` (engine,
// store and tRPC loaded, one query on an empty SQLite store), through the prebuilt bundle and
// through tsx, against `node -e 0` in the same run. Runs `scripts/build-cli.ts` first.
//   npx tsx bench/cli.ts [--iterations 9]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { median } from './lib/stats.js';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '9' } } });
const iterations = Number(values.iterations);
const repo = new URL('..', import.meta.url).pathname;
const home = mkdtempSync(path.join(tmpdir(), 'pv-bench-cli-'));
const env = { ...process.env, PODVISOR_HOME: home, PODVISOR_RUN_DIR: path.join(home, 'run') };

function timeMs(args: string[], extraEnv: Record<string, string> = {}): number {
  const start = performance.now();
  execFileSync(process.execPath, args, { cwd: repo, env: { ...env, ...extraEnv }, stdio: 'ignore' });
  return performance.now() - start;
}

const cases: { label: string; args: string[]; env?: Record<string, string> }[] = [
  { label: 'node -e 0 (baseline)', args: ['-e', '0'] },
  { label: 'podvisor --help (bundle)', args: ['bin/podvisor.js', '--help'] },
  { label: 'podvisor --help (tsx)', args: ['bin/podvisor.js', '--help'], env: { PODVISOR_CLI_SOURCE: '1' } },
  { label: 'podvisor pod list (bundle)', args: ['bin/podvisor.js', 'pod', 'list'] },
  { label: 'podvisor pod list (tsx)', args: ['bin/podvisor.js', 'pod', 'list'], env: { PODVISOR_CLI_SOURCE: '1' } },
];

try {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-cli.ts'], { cwd: repo, stdio: 'inherit' });
  for (const c of cases) timeMs(c.args, c.env); // warm the page cache, tsx's cache and the store's migrations
  const samples = cases.map(() => [] as number[]);
  // Interleaved, so a noisy moment hits every case alike.
  for (let i = 0; i < iterations; i++) cases.forEach((c, j) => samples[j]!.push(timeMs(c.args, c.env)));
  const baseline = median(samples[0]!);
  cases.forEach((c, j) => {
    const m = median(samples[j]!);
    console.log(`${c.label.padEnd(30)} median ${m.toFixed(0).padStart(5)} ms   ${(m / baseline).toFixed(1).padStart(5)}× node -e 0`);
  });
} finally {
  rmSync(home, { recursive: true, force: true });
}
