// The host helpers (kata proxy, its direct shims, the ccProxy and the ccShims) run from ONE esbuild
// bundle, dist/proxy.mjs. A module that pulls a CommonJS dependency into it (execa's cross-spawn,
// through the host seam) builds fine and then fails at load ("Dynamic require of child_process"),
// which only the VM tier would notice. Built here from the current source, each role must start
// far enough to print its own usage.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';

const out = mkdtempSync(path.join(tmpdir(), 'pv-bundle-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

it('builds dist/proxy.mjs, and each of its roles loads and answers a bad argv with its usage', { timeout: 60_000 }, () => {
  execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-agent.ts', 'proxy', '--outdir', out], { stdio: 'pipe' });
  const bundle = path.join(out, 'dist/proxy.mjs');
  for (const [argv, usage] of [
    [[], /usage: --agent <socket> --listen <socket>/],
    [['--direct-shim'], /usage: --direct-shim --agent/],
    [['--cc-proxy'], /usage: --cc-proxy --listen <socket>/],
    [['--cc-shim'], /usage: --cc-shim -c <container>/],
    [['--cc-shim', '-t', '2', '-u', 'unix:///nowhere', '--direct'], /usage: --cc-shim --direct needs/],
  ] as const) {
    const run = spawnSync(process.execPath, [bundle, ...argv], { encoding: 'utf8', timeout: 20_000 });
    // The last lines only: a load failure prints the whole minified line first.
    const tail = run.stderr.trim().split('\n').slice(-2).join('\n');
    expect({ argv, status: run.status, stderr: tail }).toMatchObject({ status: 2, stderr: expect.stringMatching(usage) });
  }
});
