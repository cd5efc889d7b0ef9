// The pid-file / exit-status contract of podvisor-oci's relay (server/oci/relay.ts), on a real
// process (test/helpers/oci-relay-child.ts: a ProcessIo over `sh -c`): the relay says ready on fd 3,
// an init relay attaches only when `start` hands it a token (handOver), its stdout and stderr carry
// the process's output, its stdin reaches the process, a signal sent to its PID reaches the
// process, and it exits with the process's exit code (255 when the process cannot be reached).
// With a terminal, pty_handoff.py sends the pty master to a console socket played by
// test/helpers/console-socket.py (conmon's part: Node.js cannot receive SCM_RIGHTS either).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { handoffCommand } from '../../server/oci/pty-handoff.js';
import { handOver } from '../../server/oci/runtime.js';

const CHILD = fileURLToPath(new URL('../helpers/oci-relay-child.ts', import.meta.url));
const CONSOLE_SOCKET = fileURLToPath(new URL('../helpers/console-socket.py', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'pv-ocirelay-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Relay {
  child: ChildProcess;
  firstWord: Promise<string>;
  output: { stdout: string; stderr: string };
  exit: Promise<number | null>;
}

function relay(...args: string[]): Relay {
  const child = spawn('node', ['--import', 'tsx', CHILD, ...args], { stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
  const output = { stdout: '', stderr: '' };
  child.stdout!.on('data', (d: Buffer) => (output.stdout += d));
  child.stderr!.on('data', (d: Buffer) => (output.stderr += d));
  const firstWord = new Promise<string>((resolve) => createInterface({ input: child.stdio[3] as NodeJS.ReadableStream }).once('line', resolve));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, firstWord, output, exit };
}

describe('the relay behind the pid-file', () => {
  it('init: waits for start, then relays output and stdin and exits with the process status', async () => {
    const sock = path.join(dir, 'init.sock');
    const r = relay(sock);
    expect(await r.firstWord).toBe('ready');
    // Nothing runs before start: no output yet.
    await expect(handOver(sock, 'bad')).rejects.toThrow('no process with token bad');
    await handOver(sock, 'echo out; echo err >&2; read line; echo "in:$line"; exit 3');
    r.child.stdin!.end('abc\n');
    expect(await r.exit).toBe(3);
    expect(r.output).toEqual({ stdout: 'out\nin:abc\n', stderr: 'err\n' });
  }, 20_000);

  it('passes a signal sent to its PID on to the process (sh dies of SIGTERM: 143)', async () => {
    const sock = path.join(dir, 'sig.sock');
    const r = relay(sock);
    expect(await r.firstWord).toBe('ready');
    await handOver(sock, 'echo up; exec sleep 60');
    while (!r.output.stdout.includes('up')) await new Promise((res) => r.child.stdout!.once('data', res));
    r.child.kill('SIGTERM');
    expect(await r.exit).toBe(143);
  }, 20_000);

  it('exec: attaches at once to the token it was given', async () => {
    const r = relay('-', 'echo exec-out; exit 7');
    expect(await r.firstWord).toBe('ready');
    r.child.stdin!.end();
    expect(await r.exit).toBe(7);
    expect(r.output.stdout).toBe('exec-out\n');
  }, 20_000);

  it('exec: a token it cannot attach to is told on fd 3, and the relay exits 255', async () => {
    const r = relay('-', 'bad');
    expect(await r.firstWord).toBe('error no process with token bad');
    expect(await r.exit).toBe(255);
  }, 20_000);

  it('a terminal: the master goes to the console socket, the relay keeps the PID, relays on the pty, passes sizes on', async () => {
    const sock = path.join(dir, 'console.sock');
    const conmon = spawn('/usr/bin/python3', [CONSOLE_SOCKET, sock], { stdio: ['pipe', 'pipe', 'inherit'] });
    let seen = '';
    conmon.stdout!.setEncoding('utf8').on('data', (d: string) => (seen += d));
    const until = async (text: string) => {
      while (!seen.includes(text)) await new Promise((res) => conmon.stdout!.once('data', res));
    };
    const conmonExit = new Promise((resolve) => conmon.once('exit', resolve));
    await until('listening\n');
    // As runtime.ts spawns it: detached (so already a session leader), ready pipe on fd 3.
    const { file, args } = handoffCommand({ socket: sock, size: { rows: 30, columns: 100 } }, process.execPath, ['--import', 'tsx', CHILD, '-', 'read l; echo "got $l"; exit 6', 'tty']);
    const child = spawn(file, args, { detached: true, stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d));
    const firstWord = new Promise<string>((resolve) => createInterface({ input: child.stdio[3] as NodeJS.ReadableStream }).once('line', resolve));
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    expect(await firstWord, stderr).toBe('ready');
    // The PID python started with is now the relay's.
    expect(readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0')).toContain(CHILD);
    expect(seen).toMatch(/^listening\nname \/dev\/pts\/\d+\n/);
    await until('resize 30x100\n'); // consoleSize, set on the pty before the relay started
    conmon.stdin!.write('resize 40 120\n'); // a client's resize: SIGWINCH on the relay's terminal
    await until('resize 40x120\n');
    conmon.stdin!.write('write bye\n');
    expect(await exit).toBe(6);
    await conmonExit;
    // Raw: the pty passes the process's bytes as they are (its own pty in the guest translates).
    expect(seen.slice(seen.indexOf('resize 40x120\n'))).toBe('resize 40x120\ngot bye\n');
  }, 20_000);

  it('a console socket nobody listens on: the handoff fails with one line, and no relay starts', async () => {
    const { file, args } = handoffCommand({ socket: path.join(dir, 'nobody.sock'), size: null }, process.execPath, ['--import', 'tsx', CHILD, '-', 'echo never', 'tty']);
    const r = await execa(file, args, { reject: false });
    expect([r.exitCode, r.stderr]).toEqual([1, expect.stringMatching(/^podvisor-oci: the terminal for console socket .*nobody\.sock: .*No such file or directory/)]);
  });

  it('start finds no relay: a clear error', async () => {
    await expect(handOver(path.join(dir, 'none.sock'), 'x')).rejects.toThrow("the container's relay is gone");
  });
});
