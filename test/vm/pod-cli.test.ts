// The real-VM lifecycle from a shell, as an operator runs it: `podvisor pod run` with a busybox
// container on qemu, enter, ps, kill, pause (the guest clock stops), resume, stop, delete — and
// afterwards no QEMU, proxy or shim of the pod and no run directory remain.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { processesMentioning, rootfsCopy } from '../helpers/vm.js';

const home = mkdtempSync(path.join(tmpdir(), 'pv-cli-'));
const rootfs = rootfsCopy();
const env = { PODVISOR_HOME: home, PODVISOR_RUN_DIR: path.join(home, 'run'), PODVISOR_HOST_PATH_ROOTS: path.dirname(rootfs) };
const podvisor = (...args: string[]) => execa('node', ['bin/podvisor.js', ...args], { env, reject: false });
const runDir = path.join(home, 'run', 'clipod');

afterAll(async () => {
  await podvisor('pod', 'stop', 'clipod');
  await podvisor('pod', 'delete', 'clipod');
  rmSync(home, { recursive: true, force: true });
  rmSync(path.dirname(rootfs), { recursive: true, force: true });
});

describe('podvisor CLI on a real QEMU pod', () => {
  it('runs the whole lifecycle and leaves nothing behind', async () => {
    const run = await podvisor('pod', 'run', '--id', 'clipod', '--hypervisor', 'qemu', '--agent', 'kata', '--container-id', 'c1', '--rootfs', rootfs, '--', 'sh', '-c', 'while true; do sleep 1; done');
    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    const status = JSON.parse((await podvisor('pod', 'status', 'clipod', '--json')).stdout);
    expect(status).toMatchObject({ state: 'running', hypervisor: 'qemu', agent: 'kata', vm: { accelerator: expect.stringMatching(/^(kvm|tcg)$/) } });
    expect(status.containersStatus[0]).toMatchObject({ id: 'c1', state: 'running', pid: expect.any(Number) });

    const hello = await podvisor('container', 'enter', 'clipod', 'c1', '--', 'echo', 'hello');
    expect([hello.stdout, hello.exitCode]).toEqual(['hello', 0]);

    const sleeper = podvisor('container', 'enter', 'clipod', 'c1', '--', 'sleep', '600');
    let ps = '';
    for (let i = 0; i < 50 && !ps.includes('sleep 600'); i++) ps = (await podvisor('container', 'ps', 'clipod', 'c1')).stdout;
    expect(ps).toMatch(/PID\s+USER\s+COMMAND/);
    expect(ps).toContain('sleep 600');
    const psJson = JSON.parse((await podvisor('container', 'ps', 'clipod', 'c1', '--format', 'json')).stdout);
    expect(Array.isArray(psJson)).toBe(true);
    expect((await podvisor('container', 'kill', 'clipod', 'c1', 'SIGTERM', '--all')).exitCode).toBe(0);
    expect((await sleeper).exitCode).toBe(143); // 128 + SIGTERM

    const uptime = async () => Number((await podvisor('container', 'enter', 'clipod', 'c1', '--', 'cut', '-d', ' ', '-f1', '/proc/uptime')).stdout);
    const before = await uptime();
    const pausedAt = Date.now();
    expect((await podvisor('pod', 'pause', 'clipod')).stdout).toBe('Pod clipod paused');
    // 8 s frozen against a 3 s bar: the two uptime reads sit inside CLI calls whose start-up the
    // guest does see (seconds when the host is loaded), and that must not eat the margin.
    await new Promise((r) => setTimeout(r, 8_000));
    expect(JSON.parse((await podvisor('pod', 'status', 'clipod', '--json')).stdout).containersStatus[0].state).toBe('paused');
    expect((await podvisor('pod', 'resume', 'clipod')).stdout).toBe('Pod clipod resumed');
    const hostElapsed = (Date.now() - pausedAt) / 1000;
    const guestElapsed = (await uptime()) - before;
    // The guest did not see the ≥8 s it spent frozen.
    expect(guestElapsed).toBeLessThan(hostElapsed - 3);

    const qemuPid = status.vm.pid as number;
    expect((await podvisor('pod', 'stop', 'clipod')).stdout).toBe('Pod clipod stopped');
    expect((await podvisor('pod', 'delete', 'clipod')).stdout).toBe('Pod clipod deleted');
    expect(existsSync(`/proc/${qemuPid}`) && !(await execa('cat', [`/proc/${qemuPid}/stat`])).stdout.includes(') Z')).toBe(false);
    expect(await processesMentioning(runDir)).toEqual([]);
    expect(existsSync(runDir)).toBe(false);
    expect((await podvisor('pod', 'list', '--json')).stdout).toBe('[]');
  }, 240_000);
});
