// The real guest agent bundle (dist/guest/agent.mjs) run on the HOST with real crun and a busybox
// rootfs, driven over its unix-socket stand-in for the virtio-serial port.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attachOutput } from '../../server/guest/protocol/attach.js';
import type { AgentClient } from '../../server/guest/protocol/client.js';
import { connectAgentSocket } from '../../server/guest/protocol/connect.js';
import type { ProcessSpec } from '../../server/guest/protocol/ops.js';
import { hostAgentUnavailable, makeBusyboxRootfs, startHostAgent, type HostAgent } from '../../server/guest/testing/host-agent.js';

const unavailable = hostAgentUnavailable();

// A missing tool is a broken set-up (scripts/setup.sh installs them), not a reason to skip.
it('has root, crun, script and busybox', () => expect(unavailable).toBeNull());
let dir: string;
let agent: HostAgent;
let client: AgentClient;

/** Follows a process's output until it exits; returns everything it printed and its exit code. */
async function outputOf(containerId: string, execId: string) {
  const text = { stdout: '', stderr: '' };
  await attachOutput(client, { containerId, execId }, (stream, data) => (text[stream] += data.toString()));
  const { body } = await client.call('WaitProcess', { containerId, execId }, { timeoutMs: 20_000 });
  return { ...text, exitCode: body.exitCode };
}

async function createContainer(containerId: string, process: Partial<ProcessSpec> & { args: string[] }, readonlyRootfs = false) {
  await makeBusyboxRootfs(join(agent.sharedDir, containerId, 'rootfs'));
  await client.call('CreateContainer', { containerId, readonlyRootfs, process });
}

async function exec(containerId: string, execId: string, process: Partial<ProcessSpec> & { args: string[] }) {
  await client.call('ExecProcess', { containerId, execId, process });
  return outputOf(containerId, execId);
}

async function until(check: () => boolean, what: () => string, timeoutMs = 10_000) {
  for (const start = Date.now(); !check(); await new Promise((r) => setTimeout(r, 20))) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what()}`);
  }
}

describe('guest agent on the host with real crun', () => {
  beforeAll(async () => {
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build-agent.ts', 'agent'], { stdio: 'ignore' });
    dir = await mkdtemp('/tmp/pv-agent-');
    agent = await startHostAgent(dir, ['dist/guest/agent.mjs']);
    client = await connectAgentSocket(agent.socketPath);
    await client.call('CreateSandbox', { sandboxId: 'pod1', hostname: 'podhost', storages: [] });
    await createContainer('main', { args: ['sleep', '1000'] });
    await client.call('StartContainer', { containerId: 'main' });
  });

  afterAll(async () => {
    await client?.call('DestroySandbox', {}).catch(() => {});
    client?.close();
    await agent?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
    // Nothing may outlive the agent: no crun, no container process.
    expect(spawnSync('pgrep', ['-f', dir ?? 'pv-agent-']).stdout.toString()).toBe('');
  });

  it('runs a container init with its output, hostname and exit code', async () => {
    await createContainer('once', { args: ['sh', '-c', 'echo out; echo err >&2; hostname; exit 7'] });
    expect((await client.call('ContainerStatus', { containerId: 'once' })).body.status).toBe('created');
    const { body } = await client.call('StartContainer', { containerId: 'once' });
    expect(body.pid).toBeGreaterThan(0);
    // Attaching after start still gets everything: the agent buffers output.
    expect(await outputOf('once', 'once')).toEqual({ stdout: 'out\npodhost\n', stderr: 'err\n', exitCode: 7 });
    expect((await client.call('ContainerStatus', { containerId: 'once' })).body).toMatchObject({ status: 'stopped', exitCode: 7 });
    await client.call('RemoveContainer', { containerId: 'once' });
    await expect(client.call('ContainerStatus', { containerId: 'once' })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('execs processes in the container namespace with their exit codes', async () => {
    expect(await exec('main', 'e1', { args: ['sh', '-c', 'echo $((6*7)); exit 3'] })).toEqual({ stdout: '42\n', stderr: '', exitCode: 3 });
    const { stdout } = await exec('main', 'e2', { args: ['sh', '-c', 'cat /proc/1/cmdline; echo; echo $HOME $PATH'], env: ['HOME=/tmp'] });
    // In the container's pid namespace the init is pid 1; a default PATH is added, HOME kept.
    expect(stdout).toMatch(/^sleep\x001000\x00\n\/tmp \/usr\/local\/sbin:/);
  });

  it('reports a failed start instead of a running container', async () => {
    await createContainer('broken', { args: ['/no/such/binary'] });
    await expect(client.call('StartContainer', { containerId: 'broken' })).rejects.toThrow(/no\/such\/binary|not found|No such file/);
    await client.call('RemoveContainer', { containerId: 'broken' });
  });

  it("refuses a template's warm-up rootfs: a host-run agent never binds the host's root", async () => {
    await expect(client.call('WarmUpRootfs', { containerId: 'warm', present: true })).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
  });

  it('lists processes as a ps table and as json', async () => {
    const table = (await client.call('ListProcesses', { containerId: 'main', format: 'table', args: ['-o', 'pid,args'] })).body.output;
    expect(table).toMatch(/PID\s+COMMAND\n\s+1 sleep 1000\n/);
    const json = (await client.call('ListProcesses', { containerId: 'main', format: 'json' })).body.processes;
    expect(json).toContainEqual({ pid: '1', ppid: '0', user: 'root', command: 'sleep 1000' });
  });

  it('signals one process, then all of them', async () => {
    await client.call('ExecProcess', { containerId: 'main', execId: 'sleeper', process: { args: ['sleep', '500'] } });
    await client.call('SignalProcess', { containerId: 'main', execId: 'sleeper', signal: 'SIGTERM' });
    expect((await client.call('WaitProcess', { containerId: 'main', execId: 'sleeper' })).body.exitCode).toBe(143);
    await createContainer('victim', { args: ['sleep', '600'] });
    await client.call('StartContainer', { containerId: 'victim' });
    await client.call('SignalProcess', { containerId: 'victim', execId: '', signal: 'KILL' });
    expect((await client.call('WaitProcess', { containerId: 'victim', execId: 'victim' })).body.exitCode).toBe(137);
    await client.call('RemoveContainer', { containerId: 'victim' });
  });

  it('gives a terminal process a real TTY that follows resizes', async () => {
    let text = '';
    await client.call('ExecProcess', {
      containerId: 'main',
      execId: 'tty1',
      process: { args: ['sh', '-c', 'tty; stty size; read line; stty size; exit 5'], terminal: true, stdin: true, consoleSize: { rows: 33, columns: 101 } },
    });
    await attachOutput(client, { containerId: 'main', execId: 'tty1' }, (_s, data) => (text += data.toString()));
    await until(() => text.includes('33 101'), () => `the initial size in ${JSON.stringify(text)}`);
    await client.call('TtyWinResize', { containerId: 'main', execId: 'tty1', rows: 50, columns: 120 });
    await client.call('WriteStdin', { containerId: 'main', execId: 'tty1' }, { payload: Buffer.from('go\r') });
    expect((await client.call('WaitProcess', { containerId: 'main', execId: 'tty1' })).body.exitCode).toBe(5);
    expect(text).toMatch(/\/dev\/pts\/0\r\n33 101\r\n.*50 120\r\n/s);
  });

  it('feeds stdin to a process and closes it', async () => {
    await client.call('ExecProcess', { containerId: 'main', execId: 'cat1', process: { args: ['sh', '-c', 'cat; echo done'], stdin: true } });
    await client.call('WriteStdin', { containerId: 'main', execId: 'cat1' }, { payload: Buffer.from('hello stdin\n') });
    await client.call('CloseStdin', { containerId: 'main', execId: 'cat1' });
    expect(await outputOf('main', 'cat1')).toMatchObject({ stdout: 'hello stdin\ndone\n', exitCode: 0 });
  });

  it('switches users and groups by name or number from the container /etc files', async () => {
    expect((await exec('main', 'u1', { args: ['id'], user: 'alice' })).stdout).toBe('uid=1000(alice) gid=1000(alice)\n');
    expect((await exec('main', 'u2', { args: ['id'], user: 'bob' })).stdout).toBe('uid=1001(bob) gid=1001(bob) groups=50(staff)\n');
    expect((await exec('main', 'u3', { args: ['id'], user: '1000', primaryGroup: 'staff', supplementaryGroups: ['7'] })).stdout).toBe('uid=1000(alice) gid=50(staff) groups=7\n');
    await expect(client.call('ExecProcess', { containerId: 'main', execId: 'u4', process: { args: ['id'], user: 'mallory' } })).rejects.toThrow(/mallory/);
  });

  it('applies capabilities and no_new_privs', async () => {
    const status = (extra: Partial<ProcessSpec>, id: string) => exec('main', id, { args: ['sh', '-c', 'grep -E "^(CapBnd|NoNewPrivs)" /proc/self/status'], ...extra });
    // crun's default set: AUDIT_WRITE(29) KILL(5) NET_BIND_SERVICE(10).
    expect((await status({}, 'c1')).stdout).toMatch(/CapBnd:\s+0000000020000420\nNoNewPrivs:\s+0/);
    const kill = ['CAP_KILL'];
    const only = { bounding: kill, effective: kill, permitted: kill, inheritable: [], ambient: [] };
    expect((await status({ capabilities: only, noNewPrivileges: true }, 'c2')).stdout).toMatch(/CapBnd:\s+0000000000000020\nNoNewPrivs:\s+1/);
  });

  it('honours a read-only rootfs', async () => {
    await createContainer('ro', { args: ['sh', '-c', 'touch /new-file 2>&1; echo rc=$?'] }, true);
    await client.call('StartContainer', { containerId: 'ro' });
    expect((await outputOf('ro', 'ro')).stdout).toMatch(/Read-only file system\nrc=1/);
    await client.call('RemoveContainer', { containerId: 'ro' });
  });

  it('a new host connection (new session) still gets buffered output and can wait', async () => {
    await client.call('ExecProcess', { containerId: 'main', execId: 'late', process: { args: ['sh', '-c', 'echo early bird'] } });
    await client.call('WaitProcess', { containerId: 'main', execId: 'late' });
    const second = await connectAgentSocket(agent.socketPath); // replaces the first connection, like a new proxy
    try {
      let text = '';
      const attached = await attachOutput(second, { containerId: 'main', execId: 'late' }, (_s, d) => (text += d.toString()));
      expect({ text, exitCode: attached.exitCode }).toEqual({ text: 'early bird\n', exitCode: 0 });
    } finally {
      second.close();
      client = await connectAgentSocket(agent.socketPath);
    }
  });

  it('removes a container with running processes, leaving nothing behind', async () => {
    await createContainer('busy', { args: ['sleep', '700'] });
    await client.call('StartContainer', { containerId: 'busy' });
    await client.call('ExecProcess', { containerId: 'busy', execId: 'x', process: { args: ['sleep', '701'] } });
    await client.call('RemoveContainer', { containerId: 'busy' });
    expect(spawnSync('pgrep', ['-f', 'sleep 70[01]']).stdout.toString()).toBe('');
  });
});

describe('guest agent restart', () => {
  it('kills the containers a crashed predecessor left running', async () => {
    const restartDir = await mkdtemp('/tmp/pv-agent-restart-');
    const first = await startHostAgent(restartDir, ['dist/guest/agent.mjs']);
    const firstClient = await connectAgentSocket(first.socketPath);
    await makeBusyboxRootfs(join(first.sharedDir, 'orphan', 'rootfs'));
    await firstClient.call('CreateContainer', { containerId: 'orphan', process: { args: ['sleep', '777'] } });
    await firstClient.call('StartContainer', { containerId: 'orphan' });
    firstClient.close();
    await first.crash();
    expect(spawnSync('pgrep', ['-f', 'sleep 777']).stdout.toString()).not.toBe('');
    const second = await startHostAgent(restartDir, ['dist/guest/agent.mjs']);
    try {
      const secondClient = await connectAgentSocket(second.socketPath);
      expect((await secondClient.call('Check', {})).body.serving).toBe(true);
      secondClient.close();
      expect(spawnSync('pgrep', ['-f', 'sleep 777']).stdout.toString()).toBe('');
    } finally {
      await second.stop();
      await rm(restartDir, { recursive: true, force: true });
    }
  });
});
