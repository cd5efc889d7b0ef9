// doctor on the mock drivers with REAL host processes standing in for ours: each carries one of our
// argv markers, under this engine's run root or, for one, under another install's root.
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, utimesSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it, vi } from 'vitest';
import { mockVmFile } from '../../server/engine/drivers/hypervisor/mock.js';
import { runDirFor } from '../../server/engine/index.js';
import { mockPod, testEngine } from '../helpers/engine.js';

const started: number[] = [];
const standIn = (...args: string[]) => {
  const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 1e6)', '--', ...args], { stdio: 'ignore' });
  started.push(child.pid!);
  return child.pid!;
};
// The stand-ins are this worker's children: a killed one stays a zombie until Node's SIGCHLD handler reaps it,
// which may come after doctor returns. A zombie has exited, so it counts as dead (state Z in /proc/<pid>/stat).
const alive = (pid: number) => {
  try { return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] !== 'Z'; } catch { return false; }
};
afterEach(() => { for (const pid of started.splice(0)) try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } });

it('reports, fixes only ours, then finds nothing', { timeout: 60_000 }, async () => {
  await using t = testEngine();
  vi.stubEnv('PODVISOR_CNI_CACHE_DIR', path.join(t.dir, 'cni-cache'));
  const run = path.join(t.dir, 'run');
  await t.vc.runPod(mockPod('dead'));
  rmSync(mockVmFile(runDirFor(run, 'dead'))); // as kill -9 of QEMU
  const qemu = standIn('-qmp', `unix:${run}/x/qmp.sock,server=on,wait=off`);
  const other = standIn('-qmp', `unix:${t.dir}/other-root/x/qmp.sock,server=on`);
  const vfs = standIn(`--socket-path=${run}/z/vfs.sock`);
  // A proxy stand-in (argv as helper-process.ts starts one) with one lean shim of its own, as process-shims.ts makes.
  const shimScript = "require('child_process').spawn('sh', ['-c', 'read x', 'podvisor-shim', 'c1/tok'], { stdio: ['pipe', 'ignore', 'ignore'] }); setTimeout(() => {}, 1e6)";
  const proxyChild = spawn(process.execPath, ['-e', shimScript, '--', 'server/guest/proxy/main.ts', '--listen', `${run}/y/proxy.sock`], { stdio: 'ignore' });
  const proxy = proxyChild.pid!;
  started.push(proxy);
  mkdirSync(path.join(run, 'leftover'), { recursive: true });
  mkdirSync(path.join(t.dir, 'locks', 'ghost.lock'), { recursive: true });
  utimesSync(path.join(t.dir, 'locks', 'ghost.lock'), new Date(0), new Date(0));
  // The shim is a grandchild: it exists once the stand-in's node has started and spawned it.
  const cmdline = (pid: string) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return ''; // gone meanwhile
    }
  };
  await expect.poll(() => readdirSync('/proc').some((p) => /^\d+$/.test(p) && cmdline(p).includes('podvisor-shim\0c1/tok')), { timeout: 20_000 }).toBe(true);

  const report = await t.vc.doctor();
  const kinds = report.findings.map((f) => `${f.kind} ${f.subject}`).sort();
  expect(kinds).toEqual([
    'deadVm pod dead',
    `orphanProcess proxy pid ${proxy}`,
    `orphanProcess qemu pid ${qemu}`,
    expect.stringMatching(/^orphanProcess shim pid \d+$/),
    `orphanProcess virtiofsd pid ${vfs}`,
    `orphanRunDir ${run}/leftover`,
    'staleLock lock of pod ghost',
  ]);
  expect((await t.vc.statusPod('dead')).state).toBe('stopped');
  const fixed = await t.vc.doctor({ fix: true });
  expect(fixed.findings.every((f) => f.fixed)).toBe(true);
  expect([alive(qemu), alive(vfs), alive(proxy), alive(other)]).toEqual([false, false, false, true]);
  expect((await t.vc.doctor()).findings).toEqual([]);
  vi.unstubAllEnvs();
});
