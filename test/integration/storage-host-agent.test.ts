// Volumes and container mounts through the kata agent driver, proxy and shim against the real
// guest agent run on the HOST with real crun (no VM). The test plays QEMU's part for each share
// the driver contributes (the host agent binds its export where the VM would mount 9p); the rest
// is what runs in a pod: the host binds into the pod share, the agent's volume mounts, crun's mounts.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_PORT_NAME, createKataAgent } from '../../server/engine/drivers/agent/kata.js';
import { sharedMountsOf } from '../../server/engine/drivers/agent/kata-container-mounts.js';
import type { Agent } from '../../server/engine/drivers/agent/types.js';
import { createKataProxy } from '../../server/engine/drivers/proxy/kata.js';
import { createKataShim } from '../../server/engine/drivers/shim/kata.js';
import type { ContainerContext, PodContext } from '../../server/engine/drivers/types.js';
import { ContainerConfigSchema, PodConfigSchema, type ContainerConfigInput } from '../../server/engine/types.js';
import { EMPTY_GUEST_NETWORK } from '../../server/guest/protocol/network.js';
import { hostAgentUnavailable, makeBusyboxRootfs, startHostAgent, type HostAgent } from '../../server/guest/testing/host-agent.js';
import { collect } from '../helpers/vm.js';

const unavailable = hostAgentUnavailable();

// A missing tool is a broken set-up (scripts/setup.sh installs them), not a reason to skip.
it('has root, crun, script and busybox', () => expect(unavailable).toBeNull());
let dir: string;
let hostAgent: HostAgent;
let pod: PodContext;
let agent: Agent;
let app: ContainerContext;
const host = (p: string) => join(dir, 'host', p);
const mountinfo = () => readFileSync('/proc/self/mountinfo', 'utf8');
/** The mount options of what is mounted at `path` on the host, or null. */
const hostMountOptions = (path: string) => mountinfo().split('\n').map((l) => l.split(' ')).find((f) => f[4] === path)?.[5] ?? null;

async function sh(c: ContainerContext, script: string) {
  const process = await agent.exec(pod, c, { ...c.config.cmd, args: ['sh', '-c', script] });
  return collect(await agent.attach(pod, c, process.token));
}

async function container(id: string, mounts: ContainerConfigInput['mounts']): Promise<ContainerContext> {
  const rootFs = join(dir, `rootfs-${id}`);
  await makeBusyboxRootfs(rootFs);
  return { config: ContainerConfigSchema.parse({ id, rootFs, cmd: { args: ['sleep', '300'], detach: true }, mounts }), agentState: {} };
}

describe('volumes and mounts against the host agent', () => {
  beforeAll(async () => {
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-agent.ts', 'proxy', 'shim'], { stdio: 'ignore' });
    dir = await mkdtemp('/tmp/pv-stor-');
    for (const d of ['vol/sub', 'bind', 'ro']) await mkdir(host(d), { recursive: true });
    await writeFile(host('vol/hello.txt'), 'from the volume\n');
    await writeFile(host('vol/sub/inner.txt'), 'inner\n');
    await writeFile(host('ro/keep.txt'), 'keep\n');
    await writeFile(host('app.conf'), 'conf\n');
    hostAgent = await startHostAgent(dir, ['--import', 'tsx', 'server/guest/agent/main.ts']);
    const config = PodConfigSchema.parse({
      id: 'pod1',
      agentType: 'kata',
      proxyType: 'kataProxy',
      shimType: 'kataShim',
      volumes: [{ mountTag: 'data', hostPath: host('vol') }],
    });
    pod = { id: 'pod1', config, runDir: dir, runtime: { hypervisor: {}, agent: {}, network: {} }, log: pino({ level: 'silent' }) };
    agent = createKataAgent({ runRoot: '/tmp' }, createKataProxy(), createKataShim());
    for (const device of await agent.devices(pod)) if (device.kind === 'share') await hostAgent.exportShare(device.tag, device.hostPath);
    pod.runtime.agent = await agent.startSandbox(pod, { serialPorts: { [AGENT_PORT_NAME]: hostAgent.socketPath }, nics: {}, shares: { kataShared: 'virtio-9p', data: 'virtio-9p' } }, EMPTY_GUEST_NETWORK);

    app = await container('app', [
      { source: 'data', destination: '/vol' },
      { source: host('vol/sub'), destination: '/volsub', readOnly: true },
      { source: host('bind'), destination: '/bind' },
      { source: host('ro'), destination: '/ro', readOnly: true },
      { source: host('app.conf'), destination: '/etc/app.conf', type: 'none', options: ['rbind', 'ro'] },
      { source: 'tmpfs', destination: '/scratch', type: 'tmpfs', options: ['size=1m', 'mode=0750'] },
      { source: 'shm', destination: '/dev/shm', type: 'tmpfs', options: ['nosuid', 'size=2m'] },
    ]);
    app.agentState = await agent.createContainer(pod, app);
    pod.config.containers.push(app.config);
    app.agentState = (await agent.startContainer(pod, app)).agentState;
  });

  afterAll(async () => {
    await agent?.stopSandbox(pod).catch(() => {});
    await hostAgent?.stop();
    expect(spawnSync('pgrep', ['-f', dir]).stdout.toString()).toBe('');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('contributes each volume to the VM as a share, and the agent mounts it under the per-pod volumes dir', async () => {
    expect(await agent.devices(pod)).toContainEqual({ kind: 'share', tag: 'data', hostPath: host('vol'), readOnly: false });
    expect(hostMountOptions(join(hostAgent.volumesDir, 'data'))).not.toBeNull();
  });

  it("shows a volume's files at the mount destination, by tag and by a host path inside it, and writes reach the host", async () => {
    expect(await sh(app, 'cat /vol/hello.txt /volsub/inner.txt && echo written > /vol/from-container')).toEqual({ output: 'from the volume\ninner\n', exitCode: 0 });
    expect(readFileSync(host('vol/from-container'), 'utf8')).toBe('written\n');
    // Read-only per mount, inside the guest: the same volume stays writable at /vol.
    const { output, exitCode } = await sh(app, 'echo x > /volsub/new');
    expect({ output, exitCode }).toMatchObject({ output: expect.stringContaining('Read-only file system'), exitCode: 1 });
    // A volume is mounted once per pod: binding from it makes nothing in the pod share.
    expect(sharedMountsOf(app.agentState).map((m) => m.destination)).toEqual(['/bind', '/ro', '/etc/app.conf']);
  });

  it('binds a host directory through the pod share under an unguessable name, and writes reach the host', async () => {
    const bind = sharedMountsOf(app.agentState).find((m) => m.destination === '/bind')!;
    expect(bind.hostPath).toMatch(new RegExp(`^${hostAgent.sharedDir}/app-[0-9a-f]{16}-bind$`));
    expect(hostMountOptions(bind.hostPath)).toMatch(/^rw/);
    expect(await sh(app, 'echo hello > /bind/out.txt && cat /bind/out.txt')).toEqual({ output: 'hello\n', exitCode: 0 });
    expect(readFileSync(host('bind/out.txt'), 'utf8')).toBe('hello\n');
  });

  it('enforces read-only binds in the container (EROFS), bound read-only on the host too, and the host dir is unchanged', async () => {
    const { output, exitCode } = await sh(app, 'cat /ro/keep.txt /etc/app.conf; echo x > /ro/new; echo y >> /ro/keep.txt; touch /etc/app.conf');
    expect(output).toMatch(/^keep\nconf\n/);
    expect(output.match(/Read-only file system/g)).toHaveLength(3);
    expect(exitCode).not.toBe(0);
    expect(readdirSync(host('ro'))).toEqual(['keep.txt']);
    expect(readFileSync(host('ro/keep.txt'), 'utf8')).toBe('keep\n');
    expect(readFileSync(host('app.conf'), 'utf8')).toBe('conf\n');
    // Even a guest that remounted its view read-write would find the host side read-only.
    for (const m of sharedMountsOf(app.agentState).filter((m) => m.destination !== '/bind')) expect(hostMountOptions(m.hostPath), m.destination).toMatch(/^ro/);
  });

  it('makes other filesystems inside the guest with their options; one at /dev/shm replaces the default', async () => {
    const mounts = (await sh(app, 'cat /proc/mounts')).output.split('\n');
    expect(mounts.find((l) => l.includes(' /scratch '))).toMatch(/^tmpfs \/scratch tmpfs rw,.*size=1024k.*mode=750/);
    const shm = mounts.filter((l) => l.includes(' /dev/shm '));
    expect(shm).toHaveLength(1);
    expect(shm[0]).toMatch(/^shm \/dev\/shm tmpfs rw,nosuid,.*size=2048k/);
    expect(await sh(app, 'echo scratch > /scratch/f && cat /scratch/f')).toEqual({ output: 'scratch\n', exitCode: 0 });
  });

  it('unshares the host binds when the container stops: no mount, no leftover entry; the volume stays', async () => {
    const shared = sharedMountsOf(app.agentState);
    await agent.stopContainer(pod, app);
    for (const m of shared) {
      expect(mountinfo(), m.destination).not.toContain(m.hostPath);
      expect(existsSync(m.hostPath), m.destination).toBe(false);
    }
    expect(readdirSync(hostAgent.sharedDir)).toEqual([]);
    await agent.stopContainer(pod, app); // idempotent
    expect(readFileSync(host('bind/out.txt'), 'utf8')).toBe('hello\n'); // the user's data is untouched
    expect(hostMountOptions(join(hostAgent.volumesDir, 'data'))).not.toBeNull();
  });

  it('a create that fails halfway leaves no bind behind', async () => {
    const bad = await container('bad', [
      { source: host('bind'), destination: '/a' },
      { source: host('missing'), destination: '/b' },
    ]);
    await expect(agent.createContainer(pod, bad)).rejects.toMatchObject({ code: 'INVALID_CONFIG', details: { field: 'mounts.1.source' } });
    expect(readdirSync(hostAgent.sharedDir)).toEqual([]);
    expect(mountinfo()).not.toContain(`${hostAgent.sharedDir}/bad`);
  });

  it('unmounts the volumes when the sandbox is destroyed', async () => {
    await agent.stopSandbox(pod);
    expect(mountinfo()).not.toContain(hostAgent.volumesDir);
    expect(existsSync(join(hostAgent.volumesDir, 'data'))).toBe(false);
    expect(existsSync(hostAgent.sharedDir)).toBe(false);
    expect(readFileSync(host('vol/hello.txt'), 'utf8')).toBe('from the volume\n');
    pod.runtime.agent = {}; // nothing left for afterAll to stop
  });
});
