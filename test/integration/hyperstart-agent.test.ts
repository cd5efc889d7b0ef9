// The guest agent speaking hyperstart, run on the HOST with real crun (no VM): the host client
// drives STARTPOD, NEWCONTAINER, EXECCMD, stdin/stdout/stderr on seqs N and N+1, EOF + exit code,
// WINSIZE on a terminal, PSCONTAINER json and table, KILLCONTAINER one and all, REMOVECONTAINER,
// DESTROYPOD, ERROR for a bad or unsupported command.
import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HyperstartClient } from '../../server/engine/drivers/agent/hyperstart-client.js';
import { HYPERSTART_CODES as C } from '../../server/guest/protocol/hyperstart/codes.js';
import type { StreamEvent } from '../../server/guest/protocol/hyperstart/frames.js';
import { processesMentioning } from '../helpers/vm.js';
import { hostAgentUnavailable, makeBusyboxRootfs, startHostAgent, type HostAgent } from '../../server/guest/testing/host-agent.js';

it('has root, crun, script and busybox', () => expect(hostAgentUnavailable()).toBeNull());

let dir: string;
let agent: HostAgent;
let client: HyperstartClient;

/** Output of one process (seq N stdout, N+1 stderr) until its exit code arrives. */
function follow(seq: bigint) {
  const out = { stdout: '', stderr: '', eof: [] as bigint[] };
  let done: (code: number) => void = () => {};
  const exited = new Promise<number>((r) => (done = r));
  const stop = client.onStream((e: StreamEvent) => {
    if (e.seq !== seq && e.seq !== seq + 1n) return;
    if (e.kind === 'data') out[e.seq === seq ? 'stdout' : 'stderr'] += e.data.toString();
    if (e.kind === 'eof') out.eof.push(e.seq);
    if (e.kind === 'exit') (stop(), done(e.exitCode));
  });
  return { out, exited };
}

const proc = (args: string[], stdio: number, extra: object = {}) => ({ args, stdio, stderr: stdio + 1, envs: [{ env: 'GREETING', value: 'hi' }], workdir: '/tmp', ...extra });

describe('hyperstart guest agent on the host', () => {
  beforeAll(async () => {
    dir = await mkdtemp('/tmp/pv-hyper-');
    process.env['PODVISOR_AGENT_PROTOCOL'] = 'hyperstart';
    process.env['PODVISOR_HYPER_CONTROL_PORT'] = `unix:${join(dir, 'agent.sock')}`;
    process.env['PODVISOR_HYPER_STREAM_PORT'] = `unix:${join(dir, 'tty.sock')}`;
    agent = await startHostAgent(dir, ['--import', 'tsx', 'server/guest/agent/main.ts']);
    for (const id of ['c1', 'c2']) await makeBusyboxRootfs(join(agent.sharedDir, id, 'rootfs'));
    client = await HyperstartClient.connect(join(dir, 'agent.sock'), join(dir, 'tty.sock'));
    await client.ready;
  }, 60_000);

  afterAll(async () => {
    client?.close();
    await agent?.stop();
    for (const k of ['PODVISOR_AGENT_PROTOCOL', 'PODVISOR_HYPER_CONTROL_PORT', 'PODVISOR_HYPER_STREAM_PORT']) delete process.env[k];
    expect(spawnSync('pgrep', ['-f', dir]).stdout.toString()).toBe('');
    await rm(dir, { recursive: true, force: true });
  }, 30_000);

  it('starts the pod, then refuses a deprecated command and a bad payload with ERROR', async () => {
    await client.command(C.STARTPOD, { hostname: 'hyperpod', shareDir: 'hyperShared' });
    await expect(client.command(C.GETPOD)).rejects.toThrow(/GETPOD is not supported/);
    await expect(client.command(C.NEWCONTAINER, { id: 'c1' })).rejects.toThrow(/NEWCONTAINER: invalid payload/);
  });

  it('runs a container with stdio on N and N+1, its env and workdir, and ends with EOF + exit code', async () => {
    const { out, exited } = follow(10n);
    await client.command(C.NEWCONTAINER, { id: 'c1', image: 'c1', rootfs: 'rootfs', process: proc(['sh', '-c', 'echo $GREETING; pwd; echo oops >&2; read line; echo got:$line; exit 3'], 10) });
    client.writeStdin(10n, Buffer.from('typed\n'));
    expect(await exited).toBe(3);
    expect(out).toEqual({ stdout: 'hi\n/tmp\ngot:typed\n', stderr: 'oops\n', eof: [11n, 10n] });
  });

  it('tells the exit by PROCESSASYNCEVENT too', async () => {
    const events: unknown[] = [];
    const stop = client.onProcessExit((e) => events.push(e));
    const { exited } = follow(20n);
    await client.command(C.NEWCONTAINER, { id: 'c2', image: 'c2', rootfs: 'rootfs', process: proc(['sh', '-c', 'trap "echo init-usr1" USR1; while true; do sleep 1; done'], 20) });
    const ex = follow(30n);
    await client.command(C.EXECCMD, { container: 'c2', process: { ...proc(['sh', '-c', 'exit 7'], 30), id: 'e1' } });
    expect(await ex.exited).toBe(7);
    // A liveness bound (20 s): the event follows the stream's exit on the other channel. Waits for
    // c2's own: an earlier test's process may report its exit meanwhile.
    const ofC2 = () => events.filter((e) => (e as { container: string }).container === 'c2');
    for (let i = 0; i < 400 && !ofC2().length; i++) await new Promise((r) => setTimeout(r, 50));
    stop();
    expect(ofC2()).toEqual([{ container: 'c2', process: 'e1', event: 'finished', status: 7 }]);
    void exited;
  });

  it('gives a terminal process the window size WINSIZE sets', async () => {
    const { out, exited } = follow(40n);
    await client.command(C.EXECCMD, { container: 'c2', process: { ...proc(['sh'], 40), id: 'tty', terminal: true } });
    await client.command(C.WINSIZE, { container: 'c2', process: 'tty', row: 33, column: 101 });
    client.writeStdin(40n, Buffer.from('stty size; exit 5\n'));
    expect(await exited).toBe(5);
    expect(out.stdout).toContain('33 101');
  });

  it('lists processes as json and as a table', async () => {
    const json = JSON.parse((await client.command(C.PSCONTAINER, { container: 'c2', format: 'json', psargs: [] })).toString()) as Record<string, string>[];
    expect(json.some((p) => Object.values(p).some((v) => v.includes('while true')))).toBe(true);
    const table = (await client.command(C.PSCONTAINER, { container: 'c2', format: 'table', psargs: ['-o', 'pid,args'] })).toString();
    expect(table).toMatch(/PID\s+COMMAND/);
  });

  it('kills one process, then all, and removes the container', async () => {
    const init = follow(20n);
    const ex = follow(50n);
    await client.command(C.EXECCMD, { container: 'c2', process: { ...proc(['sh', '-c', 'trap "echo exec-usr1" USR1; while true; do sleep 1; done'], 50), id: 'sl' } });
    // A liveness bound (20 s): a trap runs once the shell's current `sleep 1` ends, later under load.
    const until = async (check: () => boolean) => {
      for (let i = 0; i < 400 && !check(); i++) await new Promise((r) => setTimeout(r, 50));
    };
    await client.command(C.KILLCONTAINER, { container: 'c2', signal: 10, allProcesses: false });
    await until(() => init.out.stdout.includes('init-usr1'));
    expect({ init: init.out.stdout, exec: ex.out.stdout }).toEqual({ init: 'init-usr1\n', exec: '' });
    await client.command(C.KILLCONTAINER, { container: 'c2', signal: 10, allProcesses: true });
    await until(() => ex.out.stdout.includes('exec-usr1') && init.out.stdout.split('init-usr1').length === 3);
    expect({ init: init.out.stdout, exec: ex.out.stdout }).toEqual({ init: 'init-usr1\ninit-usr1\n', exec: 'exec-usr1\n' });
    await client.command(C.KILLCONTAINER, { container: 'c2', signal: 9, allProcesses: true });
    expect([await init.exited, await ex.exited]).toEqual([137, 137]);
    await client.command(C.REMOVECONTAINER, { container: 'c2' });
    await expect(client.command(C.PSCONTAINER, { container: 'c2', format: 'table' })).rejects.toThrow(/not found/);
  });

  it('destroys the pod: every container gone', async () => {
    await client.command(C.DESTROYPOD);
    await expect(client.command(C.PSCONTAINER, { container: 'c1', format: 'table' })).rejects.toThrow(/not found/);
    expect(await processesMentioning(`${dir}/shared`)).toEqual([]);
  });
});
