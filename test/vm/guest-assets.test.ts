// The guest assets (guest/build-assets.sh, guest/init) and the container rootfs (guest/build-rootfs.sh):
// built and cached, then checked from inside a booted VM through guest/test-agent.mjs, which the guest
// runs from a 9p share instead of the real agent (podvisor.share / podvisor.agent kernel parameters).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { execa } from 'execa';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQemuHypervisor } from '../../server/engine/drivers/hypervisor/qemu/index.js';
import { qmpCommand } from '../../server/engine/drivers/hypervisor/qemu/qmp.js';
import type { PodContext } from '../../server/engine/drivers/types.js';
import { agentSocketIn, kataLaunchPlan } from '../../server/guest/testing/launch-plan.js';
import { PodConfigSchema } from '../../server/engine/types.js';

const repo = new URL('../..', import.meta.url).pathname;
const guestDir = join(repo, 'var/guest');
const rootfsDir = join(repo, 'var/rootfs/busybox');

/** Line-delimited JSON client for guest/test-agent.mjs over the pod's agent socket. */
class TestAgent {
  private buffered = '';
  private waiting: ((line: string) => void) | null = null;
  private nextId = 1;
  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffered += chunk;
      const newline = this.buffered.indexOf('\n');
      if (newline >= 0 && this.waiting) {
        const line = this.buffered.slice(0, newline);
        this.buffered = this.buffered.slice(newline + 1);
        this.waiting(line);
        this.waiting = null;
      }
    });
  }
  static async connect(path: string): Promise<TestAgent> {
    const socket = connect(path);
    await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new TestAgent(socket);
  }
  /** Runs a shell command in the guest; the first call also waits for the guest to come up. */
  async sh(command: string, timeoutMs = 60_000): Promise<{ code: number; out: string }> {
    const id = this.nextId++;
    const line = new Promise<string>((resolve, reject) => {
      this.waiting = resolve;
      setTimeout(() => reject(new Error(`guest did not answer "${command}" within ${timeoutMs} ms`)), timeoutMs);
    });
    this.socket.write(JSON.stringify({ id, sh: command }) + '\n');
    const reply = JSON.parse(await line) as { id: number; code: number; out: string };
    expect(reply.id).toBe(id);
    return reply;
  }
  close(): void {
    this.socket.destroy();
  }
}

describe('guest asset builds', () => {
  it('builds the kernel, initramfs and image, and a second run is a cached no-op', async () => {
    await execa('bash', [join(repo, 'guest/build-assets.sh')]);
    for (const file of ['vmlinux', 'initrd.img', 'image.erofs', 'stamp']) expect(existsSync(join(guestDir, file))).toBe(true);
    const again = await execa('bash', [join(repo, 'guest/build-assets.sh')]);
    expect(again.stderr).toContain('up to date');
  }, 600_000);

  it('builds the busybox container rootfs with root, app (1000:1000) and staff (50)', async () => {
    await execa('bash', [join(repo, 'guest/build-rootfs.sh')]);
    expect(await readFile(join(rootfsDir, 'etc/passwd'), 'utf8')).toMatch(/^app:x:1000:1000:/m);
    expect(await readFile(join(rootfsDir, 'etc/group'), 'utf8')).toMatch(/^staff:x:50:/m);
    for (const path of ['bin/busybox', 'bin/sh', 'bin/ls', 'tmp', 'root', 'home/app']) expect(existsSync(join(rootfsDir, path))).toBe(true);
    expect((await execa('bash', [join(repo, 'guest/build-rootfs.sh')])).stderr).toContain('up to date');
  }, 300_000);
});

describe('inside a booted guest', () => {
  let runRoot: string;
  let pod: PodContext;
  let agent: TestAgent;
  const hypervisor = () => createQemuHypervisor({ runRoot });
  const containerRootfs = () => join(pod.runDir, 'shared/c1/rootfs');

  beforeAll(async () => {
    await execa('bash', [join(repo, 'guest/build-assets.sh')]);
    await execa('bash', [join(repo, 'guest/build-rootfs.sh')]);
    runRoot = await mkdtemp('/tmp/pvg-');
    const config = PodConfigSchema.parse({
      id: 'g1',
      hostname: 'guest-one',
      hypervisorType: 'qemu',
      volumes: [{ mountTag: 'podvisordev', hostPath: join(repo, 'guest') }],
      hypervisorConfig: {
        kernelParams: [
          { key: 'podvisor.share', value: 'podvisordev:/run/podvisor-dev' },
          { key: 'podvisor.agent', value: '/run/podvisor-dev/test-agent.mjs' },
        ],
      },
    });
    pod = { id: 'g1', config, runDir: join(runRoot, 'g1'), runtime: { hypervisor: {}, agent: {}, network: {} }, log: pino({ level: 'silent' }) };
    pod.runtime.hypervisor = (await hypervisor().startVm(pod, kataLaunchPlan(pod.runDir, config.volumes))).state;
    agent = await TestAgent.connect(agentSocketIn(pod.runDir));
    await agent.sh('true');
  }, 120_000);

  afterAll(async () => {
    agent?.close();
    await execa('umount', [containerRootfs()], { reject: false });
    if (pod) await hypervisor().stopVm(pod);
    if (runRoot) await rm(runRoot, { recursive: true, force: true });
  });

  it('sets the hostname from podvisor.hostname', async () => {
    expect((await agent.sh('hostname')).out.trim()).toBe('guest-one');
  });

  it('runs the agent with the port in its environment and crun and node on PATH', async () => {
    const { out } = await agent.sh('echo $PODVISOR_AGENT_PORT; readlink /dev/virtio-ports/agent.channel.0; for c in crun node; do command -v $c; done; ls /sbin/modprobe');
    expect(out.trim().split('\n')).toEqual(['/dev/virtio-ports/agent.channel.0', expect.stringMatching(/^\.\.\/vport\d+p1$/), '/usr/bin/crun', '/usr/bin/node', '/sbin/modprobe']);
  });

  it('has the kernel modules and mounts the contract promises: the always ones, and the drivers of the devices it has', async () => {
    const modules = (await agent.sh('cut -d" " -f1 /proc/modules')).out.split('\n');
    expect(modules).toEqual(expect.arrayContaining(['overlay', 'erofs', 'virtio_console', 'virtio_blk', 'evdev', 'button']));
    expect(modules).not.toContain('ext4'); // the root is erofs: ext4 waits for a container's disk image
    // guest/init loads a driver by the modalias of a device the VM has (as udev's coldplug).
    const transports = new Set(Object.values(hypervisor().endpoints(pod)?.shares ?? {}));
    expect(transports.size).toBeGreaterThan(0);
    if (transports.has('virtio-fs')) expect(modules).toContain('virtiofs');
    else expect(modules).not.toContain('virtiofs');
    if (transports.has('virtio-9p')) expect(modules).toEqual(expect.arrayContaining(['9p', '9pnet_virtio']));
    else expect(modules).not.toContain('9pnet_virtio');
    expect(modules).not.toContain('virtio_net'); // this VM has no NIC
    expect(modules).not.toContain('sd_mod'); // nor a SCSI disk yet: the agent loads it with the first
    const mounts = (await agent.sh('cat /proc/mounts')).out;
    for (const mount of ['overlay / overlay', 'cgroup2 /sys/fs/cgroup cgroup2', 'devpts /dev/pts', 'tmpfs /run tmpfs', 'proc /proc', 'sysfs /sys']) expect(mounts).toContain(mount);
  });

  it('shares <runDir>/shared as kataShared, including bind mounts made after boot, and crun runs a container from it', async () => {
    await mkdir(containerRootfs(), { recursive: true });
    await execa('mount', ['--bind', rootfsDir, containerRootfs()]);
    const bundle = '/run/kata-containers/shared/containers/c1';
    // The transport the driver picked for the share (virtio-fs where the host has virtiofsd).
    const viaVirtiofs = hypervisor().endpoints(pod)?.shares['kataShared'] === 'virtio-fs';
    const mount = viaVirtiofs ? 'mount -t virtiofs' : 'mount -t 9p -o trans=virtio,version=9p2000.L,msize=524288';
    const mounted = await agent.sh(
      'mkdir -p /run/kata-containers/shared/containers && ' +
        `${mount} kataShared /run/kata-containers/shared/containers && ` +
        `grep ^app: ${bundle}/rootfs/etc/passwd`,
    );
    expect(mounted).toMatchObject({ code: 0, out: expect.stringContaining('app:x:1000:1000') });
    // Plain `crun run` (with pivot_root): the guest root is an overlay, not the initramfs.
    const spec = `cd /tmp && crun spec && sed -i 's/"terminal": true/"terminal": false/; s/"sh"$/"sh", "-c", "hostname; id -u"/; s|"path": "rootfs"|"path": "${bundle}/rootfs"|' config.json`;
    expect((await agent.sh(spec)).code).toBe(0);
    expect(await agent.sh('cd /tmp && crun run c1')).toMatchObject({ code: 0, out: 'crun\n0\n' });
  });

  it('powers off on the ACPI power button', async () => {
    await qmpCommand(join(pod.runDir, 'qmp.sock'), 'system_powerdown');
    await expect.poll(() => hypervisor().check(pod), { timeout: 15_000, interval: 200 }).toBe('dead');
  });
});
