// Volumes and container mounts on a real VM through the engine API: one pod (the image's agent:
// rebuild the guest after agent changes) with a volume, a bind from it, a host bind, a read-only
// host bind and a tmpfs, all checked from inside the guest; the host binds gone once the container
// stops and back when it starts again; nothing of the pod left after stop + delete.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VIRTIOFSD } from '../../server/engine/drivers/hypervisor/qemu/virtiofsd.js';
import { runDirFor } from '../../server/engine/index.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { collect, processesMentioning, qemuPod, rootfsCopy } from '../helpers/vm.js';

let t: TestEngine;
let runDir: string;
const rootFs = rootfsCopy();
const scratch = mkdtempSync(path.join(tmpdir(), 'pv-stor-'));
const host = (p: string) => path.join(scratch, p);
const forever = ['sh', '-c', 'while true; do sleep 1; done'];
const mountinfo = () => readFileSync('/proc/self/mountinfo', 'utf8');
/** The pod share's bind mounts of host paths (`<cid>-<16 hex>-<name>`); rootfs dirs are plain container IDs. */
const hostBinds = () => (existsSync(path.join(runDir, 'shared')) ? readdirSync(path.join(runDir, 'shared')).filter((n) => /-[0-9a-f]{16}-/.test(n)) : []);

async function sh(script: string) {
  const { process } = await t.vc.enterContainer('stor', 'app', { args: ['sh', '-c', script], detach: true });
  return collect(await t.vc.attachProcess('stor', 'app', process.token));
}
const guestMounts = async () => (await sh('cat /proc/mounts')).output.split('\n');
/** The guest fstype of the pod's shares: the default transport, virtio-fs where the host has virtiofsd. */
const shareFstype = () => (existsSync(VIRTIOFSD) ? 'virtiofs' : '9p');

beforeAll(async () => {
  for (const d of ['vol/sub', 'bind', 'ro']) mkdirSync(host(d), { recursive: true });
  writeFileSync(host('vol/hello.txt'), 'from the volume\n');
  writeFileSync(host('vol/sub/inner.txt'), 'inner\n');
  writeFileSync(host('ro/keep.txt'), 'keep\n');
  t = testEngine({ lockWaitMs: 120_000, hostPathRoots: [path.dirname(rootFs), scratch] });
  runDir = runDirFor(path.join(t.dir, 'run'), 'stor');
  const mounts = [
    { source: 'data', destination: '/vol' },
    { source: host('vol/sub'), destination: '/volsub', readOnly: true },
    { source: host('bind'), destination: '/bind' },
    { source: host('ro'), destination: '/ro', options: ['ro'] },
    { source: 'tmpfs', destination: '/scratch', type: 'tmpfs', options: ['size=1m', 'mode=0750'] },
  ];
  await t.vc.runPod(qemuPod('stor', [{ id: 'app', rootFs, cmd: { args: forever, detach: true }, mounts }], { volumes: [{ mountTag: 'data', hostPath: host('vol') }] }));
}, 180_000);

afterAll(async () => {
  await t.vc.stopPod('stor').catch(() => {});
  await t.vc.deletePod('stor').catch(() => {});
  await t[Symbol.asyncDispose]();
  rmSync(path.dirname(rootFs), { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
}, 60_000);

describe('volumes and mounts in a real VM', () => {
  it('mounts the volume from its own share: host files are read, container writes land on the host', async () => {
    expect((await t.vc.statusPod('stor')).vm?.sharedFs).toBe(shareFstype() === 'virtiofs' ? 'virtio-fs' : 'virtio-9p');
    expect((await guestMounts()).find((l) => l.includes(' /vol '))).toMatch(new RegExp(`^data /vol ${shareFstype()} `));
    expect(await sh('cat /vol/hello.txt /volsub/inner.txt; echo from-guest > /vol/written')).toEqual({ output: 'from the volume\ninner\n', exitCode: 0 });
    expect(readFileSync(host('vol/written'), 'utf8')).toBe('from-guest\n');
    writeFileSync(host('vol/late.txt'), 'put there after boot\n');
    expect(await sh('cat /vol/late.txt')).toEqual({ output: 'put there after boot\n', exitCode: 0 });
  });

  it('binds a host directory through the pod share; writes reach the host', async () => {
    expect(hostBinds().map((n) => n.replace(/-[0-9a-f]{16}-/, '-*-')).sort()).toEqual(['app-*-bind', 'app-*-ro']);
    expect(await sh('echo hello > /bind/out.txt && cat /bind/out.txt')).toEqual({ output: 'hello\n', exitCode: 0 });
    expect(readFileSync(host('bind/out.txt'), 'utf8')).toBe('hello\n');
  });

  it('refuses writes to read-only mounts inside the guest (EROFS); the host dir is unchanged', async () => {
    const { output, exitCode } = await sh('cat /ro/keep.txt; echo x > /ro/new; echo y >> /ro/keep.txt; echo z > /volsub/new');
    expect(output).toMatch(/^keep\n/);
    expect(output.match(/Read-only file system/g)).toHaveLength(3);
    expect(exitCode).not.toBe(0);
    expect(readdirSync(host('ro'))).toEqual(['keep.txt']);
    expect(readFileSync(host('ro/keep.txt'), 'utf8')).toBe('keep\n');
    expect(readdirSync(host('vol/sub'))).toEqual(['inner.txt']);
    const mounts = await guestMounts();
    for (const dest of ['/ro', '/volsub']) expect(mounts.find((l) => l.includes(` ${dest} `)), dest).toMatch(new RegExp(`^\\S+ ${dest} ${shareFstype()} ro,`));
  });

  it('makes a tmpfs inside the guest with its size and mode', async () => {
    expect((await guestMounts()).find((l) => l.includes(' /scratch '))).toMatch(/^tmpfs \/scratch tmpfs rw,.*size=1024k.*mode=750/);
  });

  it('unshares the host binds when the container stops, and shares them again when it starts', async () => {
    await t.vc.stopContainer('stor', 'app');
    expect(hostBinds()).toEqual([]);
    expect(mountinfo()).not.toContain(path.join(runDir, 'shared', 'app'));
    await t.vc.startContainer('stor', 'app');
    expect(hostBinds()).toHaveLength(2);
    expect(await sh('cat /bind/out.txt /vol/hello.txt')).toEqual({ output: 'hello\nfrom the volume\n', exitCode: 0 });
  });

  it('leaves no mount, process or run directory behind after stop + delete, and the data in place', async () => {
    await t.vc.stopPod('stor');
    await t.vc.deletePod('stor');
    expect(mountinfo()).not.toContain(runDir);
    expect(await processesMentioning(runDir)).toEqual([]);
    expect(existsSync(runDir)).toBe(false);
    expect(readFileSync(host('bind/out.txt'), 'utf8')).toBe('hello\n');
    expect(readFileSync(host('vol/hello.txt'), 'utf8')).toBe('from the volume\n');
  });
});
