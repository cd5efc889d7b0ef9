// Hooks as the OCI runtime spec says, on the real host with the mock hypervisor: the hook's path is
// executed with argv[0] = args[0] and the arguments args[1..], and gets the OCI state of the pod on
// stdin (ociVersion, id, status at that hook, bundle, annotations; pid only where a VM runs).
// Node is the hook program: unlike a #! script, it can show the argv[0] it was given.
import { readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFakeHost } from '../../server/engine/host/fake.js';
import { linuxHost } from '../../server/engine/host/linux.js';
import { BUNDLE_ANNOTATION, runHook } from '../../server/engine/hooks.js';
import { mockPod, testEngine } from '../helpers/engine.js';

const NODE = realpathSync(process.execPath);

/** A hook program: appends one JSON line per run to `out` with what it was started with. */
function recorder(dir: string, out: string): string {
  const file = path.join(dir, 'record-hook.mjs');
  writeFileSync(
    file,
    `import { appendFileSync, readFileSync } from 'node:fs';
const stdin = readFileSync(0, 'utf8');
appendFileSync(${JSON.stringify(out)}, JSON.stringify({ argv0: process.argv0, args: process.argv.slice(2), env: process.env.HOOK_ENV ?? null, state: JSON.parse(stdin) }) + '\\n');
`,
  );
  return file;
}
const runs = (out: string) => readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { argv0: string; args: string[]; env: string | null; state: Record<string, unknown> });

describe('hooks as OCI says', () => {
  it('runs path with argv0 = args[0], args[1..] as arguments, and the OCI state of the pod at each hook', async () => {
    await using t = testEngine({ hostPathRoots: [path.dirname(NODE)] });
    const out = path.join(t.dir, 'hooks.jsonl');
    const script = recorder(t.dir, out);
    const hook = (name: string) => ({ path: NODE, args: [name, script, `--kind=${name}`, 'two words'], env: ['HOOK_ENV=set'] });
    const annotations = { [BUNDLE_ANNOTATION]: '/bundles/web', team: 'storage' };
    await t.vc.runPod({ ...mockPod('h'), annotations, hooks: { preStartHooks: [hook('prestart-hook')], postStartHooks: [hook('poststart-hook')], postStopHooks: [hook('poststop-hook')] } });
    await t.vc.stopPod('h');
    const [pre, post, stop] = runs(out);
    expect(pre).toEqual({ argv0: 'prestart-hook', args: ['--kind=prestart-hook', 'two words'], env: 'set', state: { ociVersion: '1.0.2', id: 'h', status: 'creating', bundle: '/bundles/web', annotations } });
    expect(post?.argv0).toBe('poststart-hook');
    expect(post?.args).toEqual(['--kind=poststart-hook', 'two words']);
    // The mock hypervisor runs no VM process, so there is no pid to give.
    expect(post?.state).toEqual({ ociVersion: '1.0.2', id: 'h', status: 'running', bundle: '/bundles/web', annotations });
    expect(stop?.state).toMatchObject({ status: 'stopped', id: 'h' });
    expect(stop?.state).not.toHaveProperty('pid');
    expect(runs(out)).toHaveLength(3);
  });

  it('gives a hook without args its path as argv0 and no arguments; passes a known VM pid', async () => {
    await using t = testEngine();
    const out = path.join(t.dir, 'bare.out');
    const script = path.join(t.dir, 'bare.sh');
    writeFileSync(script, `#!/bin/sh\nprintf '%s|%s|' "$#" "$0" > ${out}\ncat >> ${out}\n`, { mode: 0o755 });
    await runHook(linuxHost, 'p', 'poststart', { path: script, args: [], env: [], timeout: 5 }, { pid: 4321 });
    const [argc, argv0, state] = readFileSync(out, 'utf8').split('|');
    expect([argc, argv0]).toEqual(['0', script]);
    expect(JSON.parse(state!)).toEqual({ ociVersion: '1.0.2', id: 'p', status: 'running', pid: 4321, bundle: '', annotations: {} });
  });

  it('sets argv0 inside a network namespace too (through bash exec -a, nsenter cannot)', async () => {
    const r = await linuxHost.run(NODE, ['-e', 'console.log(process.argv0, process.argv.slice(1).join(","))', 'a b', 'c'], { argv0: 'in-netns', netns: '/proc/self/ns/net' });
    expect(r).toMatchObject({ exitCode: 0, stdout: 'in-netns a b,c' });
    const plain = await linuxHost.run(NODE, ['-e', 'console.log(process.argv0)'], { argv0: 'plain' });
    expect(plain.stdout).toBe('plain');
  });

  it('hands the fake host the same argv0 and arguments', async () => {
    const host = createFakeHost();
    await runHook(host, 'p', 'prestart', { path: '/hooks/h', args: ['h', '-v'], env: [], timeout: 0 });
    expect(host.calls.map((c) => [c.cmd, c.args, c.opts.argv0])).toEqual([['/hooks/h', ['-v'], 'h']]);
  });
});
