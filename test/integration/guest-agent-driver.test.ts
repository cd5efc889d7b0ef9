// The kata agent driver, kata proxy and kata shims against the real guest agent run on the HOST
// (no VM): everything but QEMU, with real crun, real bind mounts and real host processes.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_PORT_NAME, createKataAgent } from '../../server/engine/drivers/agent/kata.js';
import type { Agent, ProcessIo } from '../../server/engine/drivers/agent/types.js';
import { createKataProxy } from '../../server/engine/drivers/proxy/kata.js';
import { proxyHandleOf } from '../../server/engine/drivers/proxy/types.js';
import { createKataShim } from '../../server/engine/drivers/shim/kata.js';
import type { ContainerContext, PodContext } from '../../server/engine/drivers/types.js';
import { ContainerConfigSchema, PodConfigSchema, type CmdInput } from '../../server/engine/types.js';
import { hostAgentUnavailable, makeBusyboxRootfs, startHostAgent, type HostAgent } from '../../server/guest/testing/host-agent.js';
import { EMPTY_GUEST_NETWORK } from '../../server/guest/protocol/network.js';

const unavailable = hostAgentUnavailable();

// A missing tool is a broken set-up (scripts/setup.sh installs them), not a reason to skip.
it('has root, crun, script and busybox', () => expect(unavailable).toBeNull());
const newDriver = (): Agent => createKataAgent({ runRoot: '/tmp' }, createKataProxy(), createKataShim());
let dir: string;
let hostAgent: HostAgent;
let pod: PodContext;
let agent: Agent;
let prelaunchedPid = 0;

const alive = (pid: number) => existsSync(`/proc/${pid}`) && !readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
async function until(check: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000) {
  for (const start = Date.now(); !(await check()); await new Promise((r) => setTimeout(r, 25))) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
  }
}
function collect(io: ProcessIo) {
  const text = { stdout: '', stderr: '' };
  io.stdout.on('data', (d: Buffer) => (text.stdout += d.toString()));
  io.stderr.on('data', (d: Buffer) => (text.stderr += d.toString()));
  return text;
}

async function container(id: string, cmd: CmdInput, readonlyRootfs = false): Promise<ContainerContext> {
  const rootFs = join(dir, `rootfs-${id}`);
  await makeBusyboxRootfs(rootFs);
  const c: ContainerContext = { config: ContainerConfigSchema.parse({ id, rootFs, readonlyRootfs, cmd }), agentState: {} };
  c.agentState = await agent.createContainer(pod, c);
  pod.config.containers.push(c.config);
  return c;
}

describe('kata agent driver + proxy + shim against the host agent', () => {
  beforeAll(async () => {
    // The drivers spawn the proxy and shim from their bundles: make sure those are current.
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-agent.ts', 'proxy', 'shim'], { stdio: 'ignore' });
    dir = await mkdtemp('/tmp/pv-drv-');
    hostAgent = await startHostAgent(dir, ['--import', 'tsx', 'server/guest/agent/main.ts']);
    pod = {
      id: 'pod1',
      config: PodConfigSchema.parse({ id: 'pod1', hostname: 'drvhost', agentType: 'kata', proxyType: 'kataProxy', shimType: 'kataShim' }),
      runDir: dir,
      runtime: { hypervisor: {}, agent: {}, network: {} },
      log: pino({ level: 'silent' }),
    };
    agent = newDriver();
    // The host agent stands for the guest: its socket is the agent port's endpoint, its shared dir is <runDir>/shared.
    // The proxy is started first, as the engine does while the VM launches (Agent.prelaunch).
    const early = await agent.prelaunch!(pod, { [AGENT_PORT_NAME]: hostAgent.socketPath });
    prelaunchedPid = early!.proxy.pid;
    pod.runtime.agent = await agent.startSandbox(pod, { serialPorts: { [AGENT_PORT_NAME]: hostAgent.socketPath }, nics: {}, shares: { kataShared: 'virtio-9p' } }, EMPTY_GUEST_NETWORK, early);
  });

  afterAll(async () => {
    const proxyPid = proxyHandleOf(pod?.runtime.agent ?? {})?.pid ?? 0;
    await agent?.stopSandbox(pod).catch(() => {});
    await hostAgent?.stop();
    expect(alive(proxyPid)).toBe(false);
    expect(spawnSync('pgrep', ['-f', dir]).stdout.toString()).toBe('');
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('starts a detached proxy and creates the sandbox, through the proxy started before it', () => {
    const handle = proxyHandleOf(pod.runtime.agent)!;
    expect(handle.url).toBe(`unix://${dir}/proxy.sock`);
    expect(alive(handle.pid)).toBe(true);
    expect(handle.pid).toBe(prelaunchedPid);
  });

  it('runs a container whose PID is its shim, with output, exec, ps and stop', async () => {
    const c = await container('web', { args: ['sh', '-c', 'echo started; hostname; sleep 300'], detach: true }, true);
    expect(await readFile('/proc/self/mountinfo', 'utf8')).toContain(`${hostAgent.sharedDir}/web/rootfs`);
    const { process: init, agentState } = await agent.startContainer(pod, c);
    c.agentState = agentState;
    expect(init.token).toBe('web');
    expect(alive(init.pid)).toBe(true);
    expect(readFileSync(`/proc/${init.pid}/cmdline`, 'utf8')).toContain('web/web');
    const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${init.pid}/status`, 'utf8'))![1]);
    expect(rssKiB).toBeLessThan(8 * 1024); // a detached process's shim is a small sh, not a node

    const io = await agent.attach(pod, c, init.token);
    const text = collect(io);
    await until(() => text.stdout === 'started\ndrvhost\n', 'the init output');
    io.close();

    const execed = await agent.exec(pod, c, { ...c.config.cmd, args: ['sh', '-c', 'echo from exec >&2; exit 4'] });
    const execIo = await agent.attach(pod, c, execed.token);
    const execText = collect(execIo);
    expect(await execIo.wait()).toEqual({ exitCode: 4 });
    expect(execText.stderr).toBe('from exec\n');
    await until(() => !alive(execed.pid), 'the exec shim to exit');

    expect(await agent.processList(pod, c, { format: 'table', args: ['-o', 'pid,args'] })).toMatch(/ 1 sleep 300\n/); // sh execs its last command
    expect(JSON.parse(await agent.processList(pod, c, { format: 'json', args: [] }))).toContainEqual(expect.objectContaining({ pid: '1' }));
    expect(await agent.probeContainer(pod, c)).toEqual({ running: true, exitCode: null });

    await agent.stopContainer(pod, c);
    await until(() => !alive(init.pid), 'the init shim to exit');
    expect(existsSync(join(hostAgent.sharedDir, 'web'))).toBe(false);
    expect(await readFile('/proc/self/mountinfo', 'utf8')).not.toContain(`${hostAgent.sharedDir}/web/rootfs`);
  });

  it('forwards signals sent to a shim and reports the exit through probe', async () => {
    const c = await container('sig', { args: ['sleep', '300'], detach: true });
    const { process: init, agentState } = await agent.startContainer(pod, c);
    c.agentState = agentState;
    const execed = await agent.exec(pod, c, { ...c.config.cmd, args: ['sleep', '301'] });
    process.kill(execed.pid, 'SIGTERM');
    const io = await agent.attach(pod, c, execed.token);
    expect(await io.wait()).toEqual({ exitCode: 143 });
    // SIGKILL cannot be trapped by the shim; it is passed on all the same.
    const killed = await agent.exec(pod, c, { ...c.config.cmd, args: ['sleep', '302'] });
    process.kill(killed.pid, 'SIGKILL');
    expect(await (await agent.attach(pod, c, killed.token)).wait()).toEqual({ exitCode: 137 });
    await agent.signalContainer(pod, c, 'SIGKILL', true);
    await until(async () => !(await agent.probeContainer(pod, c)).running, 'the container to stop');
    expect(await agent.probeContainer(pod, c)).toEqual({ running: false, exitCode: 137 });
    await until(() => !alive(init.pid), 'the init shim to exit');
    await agent.stopContainer(pod, c);
  });

  it('serves several clients at once, from fresh driver instances (CLI and console together)', async () => {
    const c = await container('tty', { args: ['sh'], interactive: true, console: '/dev/console-of-the-caller', detach: true });
    c.agentState = (await agent.startContainer(pod, c)).agentState;
    const [first, second] = [await newDriver().attach(pod, c, 'tty'), await newDriver().attach(pod, c, 'tty')];
    const [a, b] = [collect(first), collect(second)];
    await first.resize(40, 132);
    await first.writeStdin('stty size; tty\n');
    await until(() => a.stdout.includes('40 132\r\n/dev/pts/0') && b.stdout.includes('40 132\r\n/dev/pts/0'), 'both clients to see the TTY output');
    second.close();
    await first.writeStdin('exit 9\n');
    expect(await first.wait()).toEqual({ exitCode: 9 });
    await agent.stopContainer(pod, c);
  });

  it('gives a non-detached process a detached shim: neither our stdio nor the tty its config names', async () => {
    // `script` holds a pty. Upstream's shim would open it (Cmd.Console) and relay the process there;
    // ours must not, or a config could name someone else's terminal.
    const terminal = spawn('script', ['-q', '-c', 'tty; sleep 60', '/dev/null'], { stdio: ['pipe', 'pipe', 'ignore'] });
    let screen = '';
    terminal.stdout.on('data', (d: Buffer) => (screen += d.toString()));
    try {
      await until(() => /\/dev\/pts\/\d+/.test(screen), 'the pty');
      const consolePath = /\/dev\/pts\/\d+/.exec(screen)![0];
      const c = await container('con', { args: ['sh'], interactive: true, console: consolePath, detach: false });
      const { process: init, agentState } = await agent.startContainer(pod, c);
      c.agentState = agentState;
      expect(readFileSync(`/proc/${init.pid}/cmdline`, 'utf8').split('\0')).toContain('podvisor-shim'); // the proxy's lean shim
      const stdioOf = (pid: number | 'self') => [0, 1, 2].map((fd) => readlinkSync(`/proc/${pid}/fd/${fd}`));
      const ours = stdioOf('self');
      expect(stdioOf(init.pid).filter((link) => link !== '/dev/null' && (ours.includes(link) || link === consolePath))).toEqual([]);

      const io = await agent.attach(pod, c, init.token);
      const text = collect(io);
      await io.writeStdin('echo relayed-$((40+2)); exit 3\n');
      expect(await io.wait()).toEqual({ exitCode: 3 });
      expect(text.stdout).toContain('relayed-42');
      expect(screen).not.toContain('relayed-42');
      await until(() => !alive(init.pid), 'the shim to exit with its process');
      await agent.stopContainer(pod, c);
    } finally {
      terminal.kill('SIGKILL');
    }
  });

  it('fails cleanly on a bad rootfs and leaves no mount behind', async () => {
    const c: ContainerContext = { config: ContainerConfigSchema.parse({ id: 'bad', rootFs: join(dir, 'missing'), cmd: { args: ['true'] } }), agentState: {} };
    await expect(agent.createContainer(pod, c)).rejects.toMatchObject({ code: 'AGENT_FAILED' });
    expect(existsSync(join(hostAgent.sharedDir, 'bad'))).toBe(false);
  });

  it('stopping the sandbox ends the proxy and every shim, and unshares every rootfs', async () => {
    const c = await container('left', { args: ['sleep', '400'], detach: true });
    const { process: init } = await agent.startContainer(pod, c);
    const execed = await agent.exec(pod, c, { ...c.config.cmd, args: ['sleep', '401'] });
    const proxyPid = proxyHandleOf(pod.runtime.agent)!.pid;
    await agent.stopSandbox(pod);
    expect([init.pid, execed.pid, proxyPid].filter(alive)).toEqual([]);
    expect(existsSync(join(hostAgent.sharedDir, 'left'))).toBe(false);
    pod.runtime.agent = {}; // nothing left for afterAll to stop
  });
});
