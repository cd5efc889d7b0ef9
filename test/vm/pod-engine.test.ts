// Containers in a real QEMU pod through the engine API: exit codes, a real TTY, user and group
// switching against the container's own /etc files, read-only and writable root filesystems,
// dropped capabilities, a container whose init exits becoming `stopped`, the guest's own figures
// (memory, each container's cgroup CPU and memory), and the pod booted from a
// custom kernel (KernelPath annotation) whose KernelHash matched, its poststart hook told QEMU's PID.
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CmdInput } from '../../server/engine/index.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { collect, qemuPod, rootfsCopy } from '../helpers/vm.js';

let t: TestEngine;
const rw = rootfsCopy();
const ro = rootfsCopy();
const forever = ['sh', '-c', 'while true; do sleep 1; done'];
const A = 'com.github.containers.virtcontainers.';
/** A copy of the built guest kernel in an allowed folder: booting from it proves the annotation won. */
const customKernel = path.join(path.dirname(rw), 'vmlinux-custom');
/** A poststart hook that keeps the OCI state it is given. */
const hookState = path.join(path.dirname(rw), 'poststart.json');
const hook = path.join(path.dirname(rw), 'poststart.sh');

async function exec(containerId: string, cmd: CmdInput) {
  const { process } = await t.vc.enterContainer('vmpod', containerId, { detach: true, ...cmd });
  return collect(await t.vc.attachProcess('vmpod', containerId, process.token));
}

beforeAll(async () => {
  t = testEngine({ lockWaitMs: 120_000, hostPathRoots: [path.dirname(rw), path.dirname(ro)] });
  copyFileSync(path.join(process.env['PODVISOR_GUEST_DIR'] ?? 'var/guest', 'vmlinux'), customKernel);
  const kernelHash = createHash('sha512').update(readFileSync(customKernel)).digest('hex');
  writeFileSync(hook, `#!/bin/sh\ncat > ${hookState}\n`, { mode: 0o755 });
  await t.vc.runPod(
    qemuPod(
      'vmpod',
      [
        { id: 'rw', rootFs: rw, cmd: { args: forever, detach: true } },
        { id: 'ro', rootFs: ro, readonlyRootfs: true, cmd: { args: forever, detach: true } },
      ],
      { annotations: { [`${A}KernelPath`]: customKernel, [`${A}KernelHash`]: kernelHash }, hooks: { postStartHooks: [{ path: hook, args: ['poststart'] }] } },
    ),
  );
}, 180_000);

afterAll(async () => {
  await t.vc.stopPod('vmpod').catch(() => {});
  await t.vc.deletePod('vmpod').catch(() => {});
  await t[Symbol.asyncDispose]();
  for (const dir of [rw, ro]) rmSync(path.dirname(dir), { recursive: true, force: true });
}, 60_000);

describe('containers in a real VM', () => {
  it('booted QEMU from the annotated kernel once its KernelHash matched, as pod status says', async () => {
    const status = await t.vc.statusPod('vmpod');
    expect(status.effectiveHypervisorConfig.kernelPath).toEqual({ value: customKernel, source: `annotations.${A}KernelPath` });
    const argv = readFileSync(`/proc/${status.vm!.pid}/cmdline`, 'utf8').split('\0');
    expect(argv[argv.indexOf('-kernel') + 1]).toBe(customKernel);
    // The rest of the effective config is what QEMU was given too.
    expect(argv[argv.indexOf('-m') + 1]).toBe(`${status.effectiveHypervisorConfig.memoryMiB.value}M`);
    // The poststart hook was told QEMU's PID, as OCI's state wants for a running container.
    expect(JSON.parse(readFileSync(hookState, 'utf8'))).toMatchObject({ id: 'vmpod', status: 'running', pid: status.vm!.pid });
  });

  it('records exit codes of exec processes', async () => {
    expect(await exec('rw', { args: ['sh', '-c', 'echo out; echo err >&2; exit 42'] })).toEqual({ output: 'out\nerr\n', exitCode: 42 });
    await expect(exec('rw', { args: ['/no/such/program'] })).rejects.toMatchObject({ code: 'AGENT_FAILED', message: expect.stringContaining('not found') });
  });

  it('gives interactive processes a real terminal of the requested size', async () => {
    const { process } = await t.vc.enterContainer('vmpod', 'rw', { args: ['sh'], interactive: true, console: '/dev/console', detach: true });
    const io = await t.vc.attachProcess('vmpod', 'rw', process.token);
    await io.resize(33, 101);
    let screen = '';
    io.stdout.on('data', (d: Buffer) => (screen += d.toString()));
    // Ctrl-C reaches the foreground job through the terminal, and the shell carries on.
    await io.writeStdin('sleep 100\n');
    await new Promise((r) => setTimeout(r, 700));
    await io.writeStdin('\x03');
    await io.writeStdin('echo after-$((40+2)); stty size; tty; exit 5\n');
    expect(await io.wait()).toEqual({ exitCode: 5 });
    io.close();
    expect(screen).toContain('^C');
    expect(screen).toContain('after-42');
    expect(screen).toContain('33 101');
    expect(screen).toMatch(/\/dev\/pts\/\d+/);
  });

  it('switches user and groups by name, resolved in the container', async () => {
    const { output } = await exec('rw', { args: ['id'], user: 'app', primaryGroup: 'staff', supplementaryGroups: ['root'] });
    expect(output.trim()).toBe('uid=1000(app) gid=50(staff) groups=0(root)');
    expect((await exec('rw', { args: ['id', '-u'], user: '1000' })).output.trim()).toBe('1000');
  });

  it('writes to a writable rootfs reach the host directory; a read-only one refuses', async () => {
    expect((await exec('rw', { args: ['sh', '-c', 'echo from-guest > /tmp/proof'] })).exitCode).toBe(0);
    expect(readFileSync(path.join(rw, 'tmp/proof'), 'utf8')).toBe('from-guest\n');
    const denied = await exec('ro', { args: ['sh', '-c', 'touch /tmp/nope'] });
    expect(denied.exitCode).not.toBe(0);
    expect(denied.output).toMatch(/Read-only file system/);
    expect(existsSync(path.join(ro, 'tmp/nope'))).toBe(false);
  });

  it('honours noNewPrivileges', async () => {
    const flag = (noNewPrivileges: boolean) => exec('rw', { args: ['grep', 'NoNewPrivs', '/proc/self/status'], noNewPrivileges }).then((r) => r.output.trim());
    expect(await flag(true)).toBe('NoNewPrivs:\t1');
    expect(await flag(false)).toBe('NoNewPrivs:\t0');
  });

  it('drops capabilities that were not granted', async () => {
    const caps = (cmd: Omit<CmdInput, 'args'>) => exec('rw', { args: ['sh', '-c', 'grep CapEff /proc/self/status'], ...cmd }).then((r) => r.output.trim());
    expect(await caps({ capabilities: { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'] } })).toBe('CapEff:\t0000000000000020');
    const chown = await exec('rw', { args: ['chown', 'app', '/tmp'], capabilities: { bounding: ['CAP_KILL'], effective: ['CAP_KILL'], permitted: ['CAP_KILL'] } });
    expect(chown.exitCode).not.toBe(0);
  });

  it('marks a container stopped with its exit code when its init exits', async () => {
    await t.vc.createContainer('vmpod', { id: 'brief', rootFs: rw, cmd: { args: ['sh', '-c', 'sleep 1; exit 9'], detach: true } });
    await t.vc.startContainer('vmpod', 'brief');
    let status = await t.vc.statusContainer('vmpod', 'brief');
    for (let i = 0; i < 60 && status.state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 250));
      status = await t.vc.statusContainer('vmpod', 'brief');
    }
    expect(status).toMatchObject({ state: 'stopped', exitCode: 9 });
    expect((await t.vc.listPodEvents('vmpod')).some((e) => e.call === 'observe' && e.containerId === 'brief' && e.toState === 'stopped')).toBe(true);
    await t.vc.deleteContainer('vmpod', 'brief');
  });

  it("reports the guest's memory and each container's cgroup figures: a container running yes uses a CPU, an idle one does not", async () => {
    // 'idle' only sleeps: rw's `while sleep 1` forks every second, and under TCG each fork+exec of
    // sleep costs ~35 ms of guest CPU (rw measured 0.105 of a CPU once, beside yes), so it is not idle.
    for (const [id, script] of [['idle', 'exec sleep 3600'], ['busy', 'yes > /dev/null']] as const) {
      await t.vc.createContainer('vmpod', { id, rootFs: rw, cmd: { args: ['sh', '-c', script], detach: true } });
      await t.vc.startContainer('vmpod', id);
    }
    const first = await t.vc.podGuestStats('vmpod');
    const started = Date.now();
    await new Promise((r) => setTimeout(r, 3_000));
    const second = await t.vc.podGuestStats('vmpod');
    const seconds = (Date.now() - started) / 1_000;
    const cpu = (id: string) => {
      const [a, b] = [first, second].map((g) => g.containers.find((c) => c.containerId === id)?.cpuUsageUsec);
      return (b! - a!) / 1e6 / seconds;
    };
    // Of one guest CPU over the interval: yes keeps one busy (the stats calls themselves take some); sleep does not.
    expect(cpu('busy')).toBeGreaterThan(0.5);
    expect(cpu('idle')).toBeLessThan(0.05);
    expect(second.containers.map((c) => c.containerId).sort()).toEqual(['busy', 'idle', 'ro', 'rw']);
    for (const c of second.containers) expect(c.memoryBytes).toBeGreaterThan(0);
    // The guest's kernel sees the pod's memory (minus what it reserves), part of it in use.
    const memoryMiB = (await t.vc.statusPod('vmpod')).effectiveHypervisorConfig.memoryMiB.value;
    expect(second.memory!.totalBytes).toBeGreaterThan(memoryMiB * 0.7 * 2 ** 20);
    expect(second.memory!.totalBytes).toBeLessThanOrEqual(memoryMiB * 2 ** 20);
    expect(second.memory!.availableBytes).toBeLessThan(second.memory!.totalBytes);
    for (const id of ['busy', 'idle']) {
      await t.vc.stopContainer('vmpod', id);
      await t.vc.deleteContainer('vmpod', id);
    }
  });
});
