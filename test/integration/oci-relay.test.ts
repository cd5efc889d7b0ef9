// The pid-file / exit-status contract of podvisor-oci's relay (server/oci/relay.ts), on a real
// process (test/helpers/oci-relay-child.ts: a ProcessIo over `sh -c`): the relay says ready on fd 3,
// an init relay attaches only when `start` hands it a token (handOver), its stdout and stderr carry
// the process's output, its stdin reaches the process, a signal sent to its PID reaches the
// process, and it exits with the process's exit code (255 when the process cannot be reached).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { handOver } from '../../server/oci/runtime.js';

const CHILD = fileURLToPath(new URL('../helpers/oci-relay-child.ts', import.meta.url));
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

  it('start finds no relay: a clear error', async () => {
    await expect(handOver(path.join(dir, 'none.sock'), 'x')).rejects.toThrow("the container's relay is gone");
  });
});
