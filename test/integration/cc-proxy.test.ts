// The ccProxy program (server/host-procs/cc-proxy) as a real process, against a scripted hyperstart
// guest on two unix sockets (no VM): RegisterVM waits for READY, Hyper gives a token's process its
// stdio seqs, ConnectShim replays what was said before and ProcessExited, Signal becomes WINSIZE or
// KILLCONTAINER (one exec: refused), a broken client frame drops only that client, and a proxy
// killed with SIGKILL and started again resumes the VM and its tokens from its state file.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CcClient, CcProxyError } from '../../server/engine/drivers/proxy/cc/client.js';
import { ccProxyArgs, ccProxySocket } from '../../server/engine/drivers/proxy/cc.js';
import { HYPERSTART_CODES as C } from '../../server/guest/protocol/hyperstart/codes.js';
import { ControlDecoder, encodeControl, encodeStreamData, encodeStreamEnd } from '../../server/guest/protocol/hyperstart/frames.js';
import { REPO_ROOT } from '../../server/guest/helper-process.js';

/** A guest that ACKs every command, records it, and for NEWCONTAINER/EXECCMD says hello on the seqs it was given and exits 7. */
class ScriptedGuest {
  commands: { code: number; body: Record<string, unknown> | null }[] = [];
  private control: Socket | null = null;
  private streams: Socket | null = null;
  private readonly servers: Server[] = [];

  constructor(readonly ctl: string, readonly io: string) {}

  async listen(): Promise<void> {
    const serve = (path: string, onSocket: (s: Socket) => void) =>
      new Promise<void>((resolve) => {
        const server = createServer(onSocket);
        this.servers.push(server);
        server.listen(path, () => resolve());
      });
    await serve(this.ctl, (s) => {
      this.control = s;
      const decoder = new ControlDecoder();
      s.on('data', (d: Buffer) => {
        for (const { code, payload } of decoder.push(d)) this.onCommand(code, payload.length ? JSON.parse(payload.toString()) : null);
      });
      s.on('error', () => {});
      s.write(encodeControl(C.READY));
    });
    await serve(this.io, (s) => ((this.streams = s), s.on('error', () => {})));
  }

  private onCommand(code: number, body: Record<string, unknown> | null): void {
    this.commands.push({ code, body });
    this.control!.write(encodeControl(C.ACK, code === C.PSCONTAINER ? Buffer.from('PID COMMAND\n') : null));
    const process = body?.['process'] as { stdio: number; stderr: number } | undefined;
    if (process?.stdio) {
      const seq = BigInt(process.stdio);
      this.streams!.write(Buffer.concat([encodeStreamData(seq, Buffer.from('hello\n')), encodeStreamData(BigInt(process.stderr), Buffer.from('oops\n')), encodeStreamEnd(seq + 1n), encodeStreamEnd(seq, 7)]));
    }
  }

  close(): void {
    this.control?.destroy();
    this.streams?.destroy();
    for (const s of this.servers) s.close();
  }
}

let dir: string;
let guest: ScriptedGuest;
let proxy: ChildProcess;
let path: string;

async function startProxy(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ccProxyArgs(dir), { cwd: REPO_ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  for (;;) {
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(path);
      s.once('connect', () => (s.destroy(), resolve(true))).once('error', () => resolve(false));
    });
    if (up) return child;
    if (child.exitCode !== null) throw new Error('the ccProxy exited');
    await sleep(50);
  }
}

/** A connection bound to `token`: what it receives until ProcessExited. */
async function follow(token: string) {
  const client = await CcClient.connect(path);
  const out = { stdout: '', stderr: '' };
  const exited = new Promise<number>((resolve) => client.onProcessExited((e) => resolve(e.exitCode)));
  client.onStream((stream, data) => (out[stream as 'stdout' | 'stderr'] += data.toString()));
  const answer = await client.command('ConnectShim', { token });
  return { client, out, exited, answer };
}

const hyper = (c: CcClient, hyperName: string, data: object | null, tokens: string[] = []) => c.command('Hyper', { containerId: 'pod1', hyperName, tokens, data });

describe('ccProxy program', () => {
  let engine: CcClient;
  let initToken: string;
  let execToken: string;

  beforeAll(async () => {
    dir = await mkdtemp('/tmp/pv-cc-');
    path = ccProxySocket(dir);
    guest = new ScriptedGuest(join(dir, 'hyper.sock'), join(dir, 'tty.sock'));
    await guest.listen();
    proxy = await startProxy();
    engine = await CcClient.connect(path);
  }, 60_000);

  afterAll(async () => {
    engine?.close();
    proxy?.kill('SIGKILL');
    guest?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('registers a VM once READY came, and hands out tokens', async () => {
    const answer = await engine.command<{ io: { URL: string; tokens: string[] } }>('RegisterVM', { containerId: 'pod1', ctlSerial: guest.ctl, ioSerial: guest.io, numIOStreams: 1 });
    expect(answer.io.URL).toBe(`unix://${path}`);
    expect(answer.io.tokens).toHaveLength(1);
    initToken = answer.io.tokens[0]!;
    execToken = (await engine.command<{ tokens: string[] }>('AttachVM', { containerId: 'pod1', numIOStreams: 1 })).tokens[0]!;
    expect(execToken).not.toBe(initToken);
  });

  it("gives a token's process its stdout/stderr seqs, and replays its output and exit to a late shim", async () => {
    await hyper(engine, 'newcontainer', { id: 'c1', image: 'c1', process: { id: 'c1', args: ['sh'] } }, [initToken]);
    await hyper(engine, 'execcmd', { container: 'c1', process: { id: execToken, args: ['true'] } }, [execToken]);
    const [init, exec] = guest.commands.filter((c) => c.code === C.NEWCONTAINER || c.code === C.EXECCMD).map((c) => c.body!['process'] as { stdio: number; stderr: number });
    expect(init!.stderr).toBe(init!.stdio + 1);
    expect(exec!.stdio).toBe(init!.stdio + 2);
    // Usually the guest's frames reach the proxy before the shim binds (the replay); if not, they come live: the same either way.
    await sleep(100);
    const shim = await follow(initToken);
    expect(shim.answer).toEqual({ exitCode: 7 });
    expect(await shim.exited).toBe(7);
    expect(shim.out).toEqual({ stdout: 'hello\n', stderr: 'oops\n' });
    shim.client.close();
  });

  it('turns Signal into WINSIZE or KILLCONTAINER, and refuses to signal one exec', async () => {
    const init = await follow(initToken);
    await init.client.command('Signal', { signalNumber: 28, rows: 30, columns: 100 });
    await init.client.command('Signal', { signalNumber: 15 });
    expect(guest.commands.slice(-2)).toEqual([
      { code: C.WINSIZE, body: { container: 'c1', process: 'c1', row: 30, column: 100 } },
      { code: C.KILLCONTAINER, body: { container: 'c1', signal: 15, allProcesses: false } },
    ]);
    const exec = await follow(execToken);
    await expect(exec.client.command('Signal', { signalNumber: 15 })).rejects.toThrow(CcProxyError);
    init.client.close();
    exec.client.close();
  });

  it('answers errors for what it cannot do, and a broken frame drops only its sender', async () => {
    await expect(engine.command('AttachVM', { containerId: 'nope', numIOStreams: 1 })).rejects.toThrow(/not registered/);
    await expect(engine.command('ConnectShim', { token: 'nope' })).rejects.toThrow(/unknown token/);
    const broken = connect(path);
    const closed = new Promise((resolve) => broken.on('close', resolve));
    broken.write(Buffer.from('\x00\x09garbage-that-is-no-frame'));
    await closed;
    expect(await hyper(engine, 'pscontainer', { container: 'c1', format: 'table', psargs: [] })).toEqual({ data: 'PID COMMAND\n' });
  });

  it('resumes its VMs and tokens after a kill -9, from its state file', async () => {
    engine.close();
    proxy.kill('SIGKILL');
    await new Promise((resolve) => proxy.once('exit', resolve));
    expect(existsSync(`${path}.state.json`)).toBe(true);
    proxy = await startProxy();
    engine = await CcClient.connect(path);
    const before = guest.commands.length;
    expect(await hyper(engine, 'ping', null)).toEqual({ data: '' });
    expect(guest.commands.slice(before)).toEqual([{ code: C.PING, body: null }]);
    const init = await follow(initToken);
    expect(init.answer).toEqual({ exitCode: null }); // the backlog went with the old process; the token did not
    await init.client.command('Signal', { signalNumber: 28, rows: 10, columns: 20 });
    expect(guest.commands.at(-1)).toEqual({ code: C.WINSIZE, body: { container: 'c1', process: 'c1', row: 10, column: 20 } });
    init.client.close();
    await engine.command('UnregisterVM', { containerId: 'pod1' });
    await expect(engine.command('ConnectShim', { token: initToken })).rejects.toThrow(/unknown token/);
  });
});
