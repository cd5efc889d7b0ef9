// Block devices on real VMs through the engine API (the image's agent: rebuild the guest after
// agent changes). One pod on the default virtio-scsi: a loop device over a file the test made and
// a qcow2 image made with qemu-img appear in the container at their paths, as the guest's disks
// (the numbers of the disk of that size), with their content, mode and owner, plus a character
// device and a FIFO; QMP query-block lists them until the container stops; a restarted engine
// unplugs them; a disk hotplugged into the running pod; a container whose rootfs is an ext4
// image, and two sharing it read-only. A second pod, q35 on virtio-blk (bridge slots, serial
// checked), is killed -9. Nothing left.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qmpCommand } from '../../server/engine/drivers/hypervisor/qemu/qmp.js';
import { runDirFor, type VC } from '../../server/engine/index.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { BUSYBOX_ROOTFS, collect, processesMentioning, qemuPod, rootfsCopy } from '../helpers/vm.js';

const MiB = 1024 * 1024;
const scratch = mkdtempSync(path.join(tmpdir(), 'pv-blk-'));
const file = (p: string) => path.join(scratch, p);
const rootFs = rootfsCopy();
const forever = ['sh', '-c', 'while true; do sleep 1; done'];
const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8' }).trim();
let t: TestEngine;
let loop = '';

/** A raw disk of `mib` MiB starting with `marker` (no filesystem: the container reads it with head). */
function rawDisk(name: string, marker: string, mib: number): string {
  const buf = Buffer.alloc(mib * MiB);
  buf.write(marker);
  writeFileSync(file(name), buf);
  return file(name);
}

async function sh(vc: VC, pod: string, container: string, script: string) {
  const { process } = await vc.enterContainer(pod, container, { args: ['sh', '-c', script], detach: true });
  return collect(await vc.attachProcess(pod, container, process.token));
}

/** The disks QMP shows on the pod's VM besides the guest image: the ones we plugged, by device id. */
async function pluggedInQemu(pod: string): Promise<string[]> {
  const blocks = (await qmpCommand(path.join(runDir(pod), 'qmp.sock'), 'query-block')) as { qdev?: string }[];
  // qdev is the device's id when it has one (scsi-hd), else its QOM path (virtio-blk-pci's backend).
  return blocks.flatMap((b) => {
    const id = /^(?:\/machine\/peripheral\/)?(pv[0-9a-f]{8}-[a-z0-9]+)/.exec(b.qdev ?? '')?.[1];
    return id ? [id] : [];
  });
}

const runDir = (pod: string) => runDirFor(path.join(t.dir, 'run'), pod);
const mountinfo = () => readFileSync('/proc/self/mountinfo', 'utf8');

beforeAll(async () => {
  loop = run('losetup', ['--find', '--show', rawDisk('loop.img', 'loop-disk-marker', 8)]);
  rawDisk('q.raw', 'qcow2-disk-marker', 12);
  run('qemu-img', ['convert', '-f', 'raw', '-O', 'qcow2', file('q.raw'), file('data.qcow2')]);
  rawDisk('late.img', 'late-disk-marker', 4);
  // An ext4 image of the busybox rootfs with a marker, as an operator would hand a disk image.
  const tree = file('image-root');
  execFileSync('cp', ['-a', BUSYBOX_ROOTFS, tree]);
  writeFileSync(path.join(tree, 'IMAGE_MARKER'), 'booted from the disk image\n');
  run('mkfs.ext4', ['-q', '-F', '-E', 'root_owner=0:0', '-d', tree, file('root.img'), '32M']);
  t = testEngine({ lockWaitMs: 120_000, hostPathRoots: [path.dirname(rootFs), scratch] });
  await t.vc.setHostDevicePatterns([loop]);
  const deviceInfos = [
    { devType: 'b' as const, hostPath: loop, containerPath: '/dev/loopdisk', fileMode: 0o604, uid: 1000, gid: 6 },
    { devType: 'b' as const, hostPath: file('data.qcow2'), containerPath: '/dev/qdisk' },
    { devType: 'c' as const, containerPath: '/dev/mynull', major: 1, minor: 3 },
    { devType: 'p' as const, containerPath: '/run/myfifo' },
  ];
  await t.vc.runPod(qemuPod('blk', [{ id: 'app', rootFs, cmd: { args: forever, detach: true }, deviceInfos }]));
}, 240_000);

afterAll(async () => {
  for (const pod of ['blk', 'vblk']) {
    await t.vc.stopPod(pod).catch(() => {});
    await t.vc.deletePod(pod).catch(() => {});
  }
  await t[Symbol.asyncDispose]();
  if (loop) run('losetup', ['-d', loop]);
  // What the test attached is detached: no loop device left over its file.
  expect(run('losetup', ['-j', file('loop.img')])).toBe('');
  rmSync(path.dirname(rootFs), { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
}, 120_000);

/** `stat` of a container path and the guest's disk with those numbers: its size in 512-byte sectors. */
const describeNode = (p: string) => `stat -c '%F %t:%T %a %u:%g' ${p}; cat /sys/dev/block/$(printf '%d:%d' 0x$(stat -c %t ${p}) 0x$(stat -c %T ${p}))/size`;

describe('block devices in a real VM (virtio-scsi, the default)', () => {
  it('shows the loop device and the qcow2 image at their paths as the guest disks of their size, with content, mode and owner', async () => {
    const loopNode = await sh(t.vc, 'blk', 'app', `${describeNode('/dev/loopdisk')}; head -c 16 /dev/loopdisk; echo`);
    // SCSI disks are sd (major 8) in the guest, whatever the loop device's 7:N is on the host.
    expect(loopNode).toEqual({ output: expect.stringMatching(/^block special file 8:[0-9a-f]+ 604 1000:6\n16384\nloop-disk-marker\n$/), exitCode: 0 });
    const qcow = await sh(t.vc, 'blk', 'app', `${describeNode('/dev/qdisk')}; head -c 17 /dev/qdisk; echo`);
    expect(qcow).toEqual({ output: expect.stringMatching(/^block special file 8:[0-9a-f]+ 666 0:0\n24576\nqcow2-disk-marker\n$/), exitCode: 0 });
    expect(await sh(t.vc, 'blk', 'app', "stat -c '%F %t:%T' /dev/mynull; echo x > /dev/mynull && test -p /run/myfifo && echo fifo")).toEqual({
      output: 'character special file 1:3\nfifo\n',
      exitCode: 0,
    });
    expect(await pluggedInQemu('blk')).toHaveLength(2);
  });

  it('unplugs them when the container stops (query-block no longer lists them), plugs them again at start, and a restarted engine unplugs them', async () => {
    await t.vc.stopContainer('blk', 'app');
    expect(await pluggedInQemu('blk')).toEqual([]);
    await t.vc.startContainer('blk', 'app');
    expect(await pluggedInQemu('blk')).toHaveLength(2);
    expect((await sh(t.vc, 'blk', 'app', 'head -c 16 /dev/loopdisk')).output).toBe('loop-disk-marker');
    const restarted = t.open();
    await restarted.stopContainer('blk', 'app');
    expect(await pluggedInQemu('blk')).toEqual([]);
  }, 120_000);

  it('hotplugs a disk into a container created in the running pod', async () => {
    await t.vc.createContainer('blk', { id: 'late', rootFs, cmd: { args: forever, detach: true }, deviceInfos: [{ devType: 'b', hostPath: file('late.img'), containerPath: '/dev/late' }] });
    await t.vc.startContainer('blk', 'late');
    expect(await sh(t.vc, 'blk', 'late', 'head -c 16 /dev/late')).toEqual({ output: 'late-disk-marker', exitCode: 0 });
    expect(await pluggedInQemu('blk')).toHaveLength(1);
  }, 120_000);

  it('runs a container whose rootfs is an ext4 disk image, mounted in the guest instead of shared; read-only, two share it', async () => {
    await t.vc.createContainer('blk', { id: 'imgroot', rootFs: file('root.img'), cmd: { args: forever, detach: true } });
    await t.vc.startContainer('blk', 'imgroot');
    const { output, exitCode } = await sh(t.vc, 'blk', 'imgroot', 'cat /IMAGE_MARKER; grep " / " /proc/mounts');
    expect(exitCode).toBe(0);
    expect(output).toMatch(/^booted from the disk image\n\/dev\/sd[a-z]+ \/ ext4 rw/);
    // Nothing of it went through the pod's share.
    expect(existsSync(path.join(runDir('blk'), 'shared', 'imgroot', 'rootfs', 'IMAGE_MARKER'))).toBe(false);
    // Read-only, the same image serves two containers at once (QEMU's shared lock), mounted ro in the guest.
    await t.vc.stopContainer('blk', 'imgroot');
    for (const id of ['ro1', 'ro2']) {
      await t.vc.createContainer('blk', { id, rootFs: file('root.img'), readonlyRootfs: true, cmd: { args: forever, detach: true } });
      await t.vc.startContainer('blk', id);
    }
    expect(await sh(t.vc, 'blk', 'ro2', 'cat /IMAGE_MARKER; grep " / " /proc/mounts; touch /x')).toEqual({
      output: expect.stringMatching(/^booted from the disk image\n\/dev\/sd[a-z]+ \/ ext4 ro,[^\n]*\ntouch: \/x: Read-only file system\n$/),
      exitCode: 1,
    });
    for (const id of ['ro1', 'ro2', 'late']) await t.vc.stopContainer('blk', id);
    expect(await pluggedInQemu('blk')).toEqual([]);
  }, 120_000);

  it('refuses a disk-image rootfs when disableBlockDeviceUse is set, naming the field', async () => {
    const err = await t.vc
      .createPod(qemuPod('nob', [{ id: 'c', rootFs: file('root.img'), cmd: { args: ['true'] } }], { hypervisorConfig: { disableBlockDeviceUse: true } }))
      .catch((e: { code: string; details?: Record<string, unknown> }) => e);
    expect(err).toMatchObject({ code: 'INVALID_CONFIG', details: { field: 'hypervisorConfig.disableBlockDeviceUse' } });
    expect(await t.vc.listPod()).toHaveLength(1);
  });

  it('leaves no mount, process or run dir after stop + delete', async () => {
    await t.vc.stopPod('blk');
    await t.vc.deletePod('blk');
    expect(mountinfo()).not.toContain(runDir('blk'));
    expect(existsSync(runDir('blk'))).toBe(false);
    expect(await processesMentioning(runDir('blk'))).toEqual([]);
  }, 60_000);
});

describe('virtio-blk on a bridge of a q35 VM, and a kill -9 of QEMU', () => {
  it('shows the loop device as a vd disk found by its bridge slot, and leaves nothing once QEMU is killed', async () => {
    const deviceInfos = [{ devType: 'b' as const, hostPath: loop, containerPath: '/dev/loopdisk' }];
    await t.vc.runPod(qemuPod('vblk', [{ id: 'app', rootFs, cmd: { args: forever, detach: true }, deviceInfos }], { hypervisorConfig: { blockDeviceDriver: 'virtio-blk', defaultBridges: 2, hypervisorMachineType: 'q35' } }));
    // virtio-blk disks are major 254 (dynamic, the first one) in the guest.
    expect(await sh(t.vc, 'vblk', 'app', `${describeNode('/dev/loopdisk')}; head -c 16 /dev/loopdisk`)).toEqual({
      output: expect.stringMatching(/^block special file fe:[0-9a-f]+ 666 0:0\n16384\nloop-disk-marker$/),
      exitCode: 0,
    });
    expect(await pluggedInQemu('vblk')).toEqual([expect.stringMatching(/^pv[0-9a-f]{8}-b0s01$/)]);
    process.kill((await t.vc.statusPod('vblk')).vm!.pid, 'SIGKILL');
    await expect.poll(async () => (await t.vc.statusPod('vblk')).state, { timeout: 10_000 }).toBe('stopped');
    await t.vc.deletePod('vblk');
    expect(mountinfo()).not.toContain(runDir('vblk'));
    expect(existsSync(runDir('vblk'))).toBe(false);
    expect(await processesMentioning(runDir('vblk'))).toEqual([]);
  }, 240_000);
});
