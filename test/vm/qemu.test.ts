// The qemu hypervisor driver against real QEMU (TCG where KVM does not work): boot, QMP, pause and
// resume, console log, stop, a QEMU killed behind our back, and failed starts that leave nothing behind.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodContext } from '../../server/engine/drivers/types.js';
import { probeAccelerator } from '../../server/engine/drivers/hypervisor/qemu/accel.js';
import { createQemuHypervisor } from '../../server/engine/drivers/hypervisor/qemu/index.js';
import { isOurQemu } from '../../server/engine/drivers/hypervisor/qemu/process.js';
import { qmpCommand } from '../../server/engine/drivers/hypervisor/qemu/qmp.js';
import { PodConfigSchema, type PodConfigInput } from '../../server/engine/types.js';
import { kataLaunchPlan } from '../../server/guest/testing/launch-plan.js';

const repo = new URL('../..', import.meta.url).pathname;
let runRoot: string;

function podContext(id: string, config: Partial<PodConfigInput> = {}): PodContext {
  return {
    id,
    config: PodConfigSchema.parse({ id, hypervisorType: 'qemu', ...config }),
    runDir: join(runRoot, id),
    runtime: { hypervisor: {}, agent: {}, network: {} },
    log: pino({ level: 'silent' }),
  };
}

async function waitForConsole(pod: PodContext, text: string, timeoutMs = 45_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const log = await readFile(join(pod.runDir, 'console.log'), 'utf8').catch(() => '');
    if (log.includes(text)) return log;
    if (Date.now() > deadline) throw new Error(`console.log never showed "${text}":\n${log.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function qemuProcesses(runDir: string): Promise<string[]> {
  const { stdout } = await execa('pgrep', ['-af', 'qemu-system'], { reject: false });
  return stdout.split('\n').filter((line) => line.includes(runDir));
}

const virtiofsdProcesses = async (runDir: string) => (await execa('pgrep', ['-af', 'virtiofsd'], { reject: false })).stdout.split('\n').filter((l) => l.includes(runDir));

const hypervisor = () => createQemuHypervisor({ runRoot });

beforeAll(async () => {
  await execa('bash', [join(repo, 'guest/build-assets.sh')]);
  runRoot = await mkdtemp('/tmp/pvq-');
}, 600_000);

afterAll(async () => {
  await rm(runRoot, { recursive: true, force: true });
});

describe('a booted pod VM', () => {
  let pod: PodContext;

  beforeAll(async () => {
    pod = podContext('vm1', { hostname: 'vm-one', hypervisorConfig: { debug: true } }); // debug: full kernel log
    pod.runtime.hypervisor = (await hypervisor().startVm(pod, kataLaunchPlan(pod.runDir))).state;
  });

  afterAll(async () => {
    await hypervisor().stopVm(pod);
  });

  it('reports its QEMU process, sockets and accelerator', async () => {
    const state = pod.runtime.hypervisor;
    expect(state).toMatchObject({ accelerator: expect.stringMatching(/^(kvm|tcg)$/), qmpSocket: join(pod.runDir, 'qmp.sock') });
    expect(await isOurQemu(state['pid'] as number, state['qmpSocket'] as string)).toBe(true);
    for (const socket of ['qmp.sock', 'agent.channel.0.sock', 'console.sock']) expect(existsSync(join(pod.runDir, socket))).toBe(true);
    expect(existsSync(join(pod.runDir, 'shared'))).toBe(true);
    expect(hypervisor().info(pod)).toEqual({ pid: state['pid'], accelerator: state['accelerator'], consoleLog: join(pod.runDir, 'console.log'), nics: [], sharedFs: 'virtio-fs',
      // Started straight through the driver, not the engine's clone-or-cold step: a cold boot with no reason recorded.
      // How the agent starts: from its V8 snapshot when one is built, else the plain bundle and why (agent-snapshot.test.ts).
      boot: { mode: 'cold', template: null, reason: null, agent: expect.stringMatching(/^(V8 snapshot|plain bundle)/), stages: [{ name: 'launch', ms: expect.any(Number) }] },
    });
    expect(hypervisor().endpoints(pod)).toEqual({ serialPorts: { 'agent.channel.0': join(pod.runDir, 'agent.channel.0.sock') }, nics: {}, shares: { kataShared: 'virtio-fs' } });
  });

  it('answers QMP', async () => {
    expect(await qmpCommand(join(pod.runDir, 'qmp.sock'), 'query-name')).toEqual({ name: 'pod-vm1' });
    expect(await hypervisor().check(pod)).toBe('running');
  });

  it('pauses and resumes', async () => {
    await hypervisor().pauseVm(pod);
    expect(await hypervisor().check(pod)).toBe('paused');
    await hypervisor().resumeVm(pod);
    expect(await hypervisor().check(pod)).toBe('running');
  });

  it('logs the kernel boot and the guest init to console.log', async () => {
    const log = await waitForConsole(pod, 'podvisor-init: starting agent');
    expect(log).toContain('Linux version');
    expect(log).toContain('podvisor-init: root ready, hostname vm-one');
  }, 60_000);

  it('stops, leaving no process and no socket, and stops again without error', async () => {
    const pid = pod.runtime.hypervisor['pid'] as number;
    await hypervisor().stopVm(pod);
    expect(await isOurQemu(pid, join(pod.runDir, 'qmp.sock'))).toBe(false);
    expect(await qemuProcesses(pod.runDir)).toEqual([]);
    expect((await readdir(pod.runDir)).filter((f) => f.endsWith('.sock'))).toEqual([]);
    expect(await hypervisor().check(pod)).toBe('dead');
    await hypervisor().stopVm(pod);
  });
});

describe('failures', () => {
  it('reports a QEMU killed behind its back as dead, and cleans up on stop', async () => {
    const pod = podContext('killed');
    pod.runtime.hypervisor = (await hypervisor().startVm(pod, kataLaunchPlan(pod.runDir))).state;
    process.kill(pod.runtime.hypervisor['pid'] as number, 'SIGKILL');
    await expect.poll(() => hypervisor().check(pod), { timeout: 5_000 }).toBe('dead');
    await expect(hypervisor().pauseVm(pod)).rejects.toMatchObject({ code: 'HYPERVISOR_FAILED' });
    await hypervisor().stopVm(pod);
    expect((await readdir(pod.runDir)).filter((f) => f.endsWith('.sock'))).toEqual([]);
  });

  it('rejects a kernel path that does not exist, naming the field, before creating anything', async () => {
    const pod = podContext('nokernel', { hypervisorConfig: { kernelPath: '/nonexistent/vmlinux' } });
    await expect(hypervisor().startVm(pod, { netNsPath: '', devices: [] })).rejects.toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringContaining('hypervisorConfig.kernelPath') });
    expect(existsSync(pod.runDir)).toBe(false);
  });

  it('fails on a file that is not a kernel, killing QEMU and removing what it created', async () => {
    const pod = podContext('badkernel', { hypervisorConfig: { kernelPath: '/etc/hostname' } });
    await expect(hypervisor().startVm(pod, { netNsPath: '', devices: [] })).rejects.toMatchObject({ code: 'HYPERVISOR_FAILED' });
    expect(await qemuProcesses(pod.runDir)).toEqual([]);
    expect(existsSync(pod.runDir)).toBe(false);
  });

  it('rejects a volume whose host path is missing', async () => {
    const pod = podContext('novolume', { volumes: [{ mountTag: 'data', hostPath: '/nonexistent/data' }] });
    await expect(hypervisor().startVm(pod, { netNsPath: '', devices: [] })).rejects.toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringContaining('volumes.0.hostPath') });
  });
});

describe('process lifetime and accelerator', () => {
  it('keeps QEMU and its virtiofsd running after the process that started them exits; stopVm reaps both', async () => {
    const pod = podContext('orphan');
    const script = `
      const { createQemuHypervisor } = await import(${JSON.stringify(join(repo, 'server/engine/drivers/hypervisor/qemu/index.ts'))});
      const { kataLaunchPlan } = await import(${JSON.stringify(join(repo, 'server/guest/testing/launch-plan.ts'))});
      const { PodConfigSchema } = await import(${JSON.stringify(join(repo, 'server/engine/types.ts'))});
      const pino = (await import('pino')).default;
      const config = PodConfigSchema.parse({ id: 'orphan', hypervisorType: 'qemu' });
      const { state } = await createQemuHypervisor({ runRoot: ${JSON.stringify(runRoot)} }).startVm(
        { id: 'orphan', config, runDir: ${JSON.stringify(pod.runDir)}, runtime: { hypervisor: {}, agent: {}, network: {} }, log: pino({ level: 'silent' }) }, kataLaunchPlan(${JSON.stringify(pod.runDir)}));
      console.log(JSON.stringify(state));`;
    const { stdout } = await execa('npx', ['tsx', '--input-type=module', '-e', script], { cwd: repo });
    pod.runtime.hypervisor = JSON.parse(stdout.trim().split('\n').pop() as string);
    expect(await hypervisor().check(pod)).toBe('running');
    expect(await virtiofsdProcesses(pod.runDir)).toHaveLength(1);
    await hypervisor().stopVm(pod);
    expect(await hypervisor().check(pod)).toBe('dead');
    expect(await virtiofsdProcesses(pod.runDir)).toEqual([]);
  });

  it('has a probe that recognises a working accelerator (TCG always works)', async () => {
    expect(await probeAccelerator('/usr/bin/qemu-system-x86_64', 'tcg', join(repo, 'var/guest/vmlinux'))).toBe(true);
  });
});
