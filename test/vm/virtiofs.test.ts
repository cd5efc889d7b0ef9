// virtio-fs, the default shared filesystem, and 9p, its fallback, on real VMs through the engine
// API: the status says which; one virtiofsd per share, which sees rootfs binds made after boot and
// is gone after stop, and after a kill -9 of QEMU once the status has noticed; a pod asking for
// virtio-9p gets 9p mounts and no virtiofsd.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIRTIOFSD } from '../../server/engine/drivers/hypervisor/qemu/virtiofsd.js';
import { runDirFor } from '../../server/engine/index.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { collect, processesMentioning, qemuPod, rootfsCopy } from '../helpers/vm.js';

let t: TestEngine;
const rootfs = [rootfsCopy(), rootfsCopy(), rootfsCopy(), rootfsCopy()];
const scratch = mkdtempSync(path.join(tmpdir(), 'pv-vfs-'));
const forever = ['sh', '-c', 'while true; do sleep 1; done'];
const runDir = (pod: string) => runDirFor(path.join(t.dir, 'run'), pod);
const virtiofsds = async (pod: string) => (await processesMentioning(runDir(pod))).filter((l) => l.includes(VIRTIOFSD));
const mountinfo = () => readFileSync('/proc/self/mountinfo', 'utf8');

async function sh(pod: string, container: string, script: string) {
  const { process } = await t.vc.enterContainer(pod, container, { args: ['sh', '-c', script], detach: true });
  return collect(await t.vc.attachProcess(pod, container, process.token));
}
/** fstype of `dest` as the container's /proc/mounts lists it. */
const fstypeAt = async (pod: string, container: string, dest: string) =>
  (await sh(pod, container, `awk '$2 == "${dest}" { print $3 }' /proc/mounts`)).output.trim();

function podWithVolume(id: string, rootFs: string, sharedFs: '' | 'virtio-9p') {
  mkdirSync(path.join(scratch, id), { recursive: true });
  writeFileSync(path.join(scratch, id, 'hello.txt'), `hello from ${id}\n`);
  const containers = [{ id: 'app', rootFs, cmd: { args: forever, detach: true }, mounts: [{ source: 'data', destination: '/data' }] }];
  return qemuPod(id, containers, { volumes: [{ mountTag: 'data', hostPath: path.join(scratch, id) }], hypervisorConfig: { sharedFs } });
}

beforeAll(() => {
  t = testEngine({ lockWaitMs: 120_000, hostPathRoots: [...rootfs.map((r) => path.dirname(r)), scratch] });
});

afterAll(async () => {
  for (const id of ['vfs', 'ninep', 'vfskill']) {
    await t.vc.stopPod(id).catch(() => {});
    await t.vc.deletePod(id).catch(() => {});
  }
  await t[Symbol.asyncDispose]();
  for (const r of rootfs) rmSync(path.dirname(r), { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
}, 60_000);

describe.skipIf(!existsSync(VIRTIOFSD))('virtio-fs, the default', () => {
  beforeAll(async () => {
    await t.vc.runPod(podWithVolume('vfs', rootfs[0]!, ''));
  }, 180_000);

  it('says so in the status, and runs one virtiofsd per share (the pod share and the volume)', async () => {
    expect((await t.vc.statusPod('vfs')).vm?.sharedFs).toBe('virtio-fs');
    expect(await virtiofsds('vfs')).toHaveLength(2);
    expect(await fstypeAt('vfs', 'app', '/data')).toBe('virtiofs');
    expect(await sh('vfs', 'app', 'cat /data/hello.txt')).toEqual({ output: 'hello from vfs\n', exitCode: 0 });
  });

  it('serves rootfs binds made after boot, including a container created later, and host writes into them', async () => {
    // The rootfs is bound into the shared dir when the container is created, long after virtiofsd started.
    expect(await fstypeAt('vfs', 'app', '/')).toBe('virtiofs');
    await t.vc.createContainer('vfs', { id: 'late', rootFs: rootfs[1]!, cmd: { args: forever, detach: true } });
    await t.vc.startContainer('vfs', 'late');
    writeFileSync(path.join(rootfs[1]!, 'from-host.txt'), 'written on the host\n');
    await expect.poll(async () => (await sh('vfs', 'late', 'cat /from-host.txt; ls /bin/busybox')).output, { timeout: 5_000 }).toBe('written on the host\n/bin/busybox\n');
    expect(await sh('vfs', 'late', 'echo from-guest > /made-in-guest.txt')).toMatchObject({ exitCode: 0 });
    expect(readFileSync(path.join(rootfs[1]!, 'made-in-guest.txt'), 'utf8')).toBe('from-guest\n');
  });

  it('leaves no virtiofsd, socket, mount or run directory after stop + delete', async () => {
    await t.vc.stopPod('vfs');
    expect(await virtiofsds('vfs')).toEqual([]);
    expect(existsSync(path.join(runDir('vfs'), 'vfs0.sock'))).toBe(false);
    await t.vc.deletePod('vfs');
    expect(await processesMentioning(runDir('vfs'))).toEqual([]);
    expect(mountinfo()).not.toContain(runDir('vfs'));
    expect(existsSync(runDir('vfs'))).toBe(false);
  });
});

describe.skipIf(!existsSync(VIRTIOFSD))('a kill -9 of QEMU', () => {
  it('takes its virtiofsds with it; the status stops the pod, and nothing is left after delete', async () => {
    await t.vc.runPod(podWithVolume('vfskill', rootfs[2]!, ''));
    const pid = (await t.vc.statusPod('vfskill')).vm!.pid;
    expect(await virtiofsds('vfskill')).toHaveLength(2);
    const killed = performance.now();
    process.kill(pid, 'SIGKILL');
    // They exit by themselves once QEMU's end of the vhost-user socket closes, before anyone asks.
    await expect.poll(() => virtiofsds('vfskill'), { timeout: 2_000, interval: 50 }).toEqual([]);
    console.log(`virtiofsd gone ${Math.round(performance.now() - killed)} ms after kill -9 of QEMU`);
    expect((await t.vc.statusPod('vfskill')).state).toBe('stopped');
    expect(await processesMentioning(runDir('vfskill'))).toEqual([]);
    await t.vc.deletePod('vfskill');
    expect(mountinfo()).not.toContain(runDir('vfskill'));
    expect(existsSync(runDir('vfskill'))).toBe(false);
  }, 180_000);
});

describe('virtio-9p, the fallback', () => {
  beforeAll(async () => {
    await t.vc.runPod(podWithVolume('ninep', rootfs[3]!, 'virtio-9p'));
  }, 180_000);

  it('says so in the status, mounts the pod share and the volume over 9p, and runs no virtiofsd', async () => {
    expect((await t.vc.statusPod('ninep')).vm?.sharedFs).toBe('virtio-9p');
    expect(await virtiofsds('ninep')).toEqual([]);
    expect(await fstypeAt('ninep', 'app', '/')).toBe('9p');
    expect(await fstypeAt('ninep', 'app', '/data')).toBe('9p');
    expect(await sh('ninep', 'app', 'cat /data/hello.txt; echo back > /data/back.txt')).toEqual({ output: 'hello from ninep\n', exitCode: 0 });
    expect(readFileSync(path.join(scratch, 'ninep', 'back.txt'), 'utf8')).toBe('back\n');
  });

  it('leaves nothing after stop + delete', async () => {
    await t.vc.stopPod('ninep');
    await t.vc.deletePod('ninep');
    expect(await processesMentioning(runDir('ninep'))).toEqual([]);
    expect(existsSync(runDir('ninep'))).toBe(false);
  });
});
