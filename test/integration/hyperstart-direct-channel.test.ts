// The host end of hyperstart without a proxy, against a real file, a real FIFO and a unix socket
// standing in for QEMU's ends of the two ports (the VM tier runs it against QEMU and the guest).
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync, closeSync, constants } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exitRecordPath, FifoWriter, FIFO_FRAME_DATA, hyperCommand, PIPE_BUF, readExitRecord, recordedExit, StreamFollower, writeExitRecord } from '../../server/engine/drivers/agent/hyperstart-direct-channel.js';
import { HYPERSTART_CODES } from '../../server/guest/protocol/hyperstart/codes.js';
import { ControlDecoder, encodeControl, encodeStreamData, encodeStreamEnd, MAX_STREAM_DATA, StreamDecoder, type StreamEvent } from '../../server/guest/protocol/hyperstart/frames.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pv-hsd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const until = async (check: () => boolean, ms = 10_000) => {
  for (const end = Date.now() + ms; !check(); await new Promise((r) => setTimeout(r, 10))) if (Date.now() > end) throw new Error('timed out');
};

describe('the stream file', () => {
  it('gives a follower its own seqs from the start, then live, up to the exit code; others are skipped', async () => {
    const file = path.join(dir, 'streams.out');
    // Before the follower starts: another process's output and EOF (whose next frame is its code).
    writeFileSync(file, Buffer.concat([encodeStreamData(8n, Buffer.from('other')), encodeStreamData(10n, Buffer.from('early')), encodeStreamEnd(8n, 3)]));
    const events: StreamEvent[] = [];
    const follower = StreamFollower.start(file, (s) => s === 10n || s === 11n, (e) => events.push(e), 10);
    await until(() => events.length === 1);
    const big = Buffer.alloc(MAX_STREAM_DATA * 2 + 5, 'x');
    appendFileSync(file, encodeStreamData(11n, Buffer.from('err')));
    // A frame split across two appends (QEMU writes what the guest gives it, in any chunks).
    const frames = encodeStreamData(10n, big);
    appendFileSync(file, frames.subarray(0, 7000));
    appendFileSync(file, Buffer.concat([frames.subarray(7000), encodeStreamEnd(11n), encodeStreamEnd(10n, 42)]));
    await until(() => events.some((e) => e.kind === 'exit'));
    await follower.stop();
    const text = (seq: bigint) => Buffer.concat(events.flatMap((e) => (e.kind === 'data' && e.seq === seq ? [e.data] : []))).toString();
    expect(text(10n)).toBe(`early${big.toString()}`);
    expect(text(11n)).toBe('err');
    expect(events.filter((e) => e.kind !== 'data')).toEqual([{ kind: 'eof', seq: 11n }, { kind: 'eof', seq: 10n }, { kind: 'exit', seq: 10n, exitCode: 42 }]);
    expect(await recordedExit(file, 10n)).toBe(42);
    expect(await recordedExit(file, 8n)).toBe(3);
    expect(await recordedExit(file, 12n)).toBeNull();
    expect(await recordedExit(path.join(dir, 'missing'), 10n)).toBeNull();
    // What a direct shim records once it read the code, so probes need not scan the file again.
    expect(await readExitRecord(file, '10')).toBeNull();
    await writeExitRecord(file, '10', 42);
    expect(await readExitRecord(file, '10')).toBe(42);
    writeFileSync(exitRecordPath(file, '12'), 'garbage');
    expect(await readExitRecord(file, '12')).toBeNull();
  });
});

describe('the stdin FIFO', () => {
  it('carries each write as whole frames of at most PIPE_BUF bytes, even from two writers at once; an empty write is EOF', async () => {
    const fifo = path.join(dir, 'stdin.in');
    execFileSync('mkfifo', [fifo]);
    // Held read-write as QEMU's pipe chardev holds it: writers never see a missing reader.
    const reader = openSync(fifo, constants.O_RDWR | constants.O_NONBLOCK);
    const [a, b] = await Promise.all([FifoWriter.open(fifo), FifoWriter.open(fifo)]);
    const decoder = new StreamDecoder();
    const got = new Map<bigint, Buffer[]>();
    const sizes: number[] = [];
    const drain = () => {
      const buffer = Buffer.alloc(65536);
      for (let n; (n = (() => { try { return readSync(reader, buffer); } catch { return 0; } })()) > 0; ) {
        for (const f of decoder.push(buffer.subarray(0, n))) (got.get(f.seq) ?? got.set(f.seq, []).get(f.seq)!).push(f.data), sizes.push(f.data.length + 12);
      }
    };
    const one = Buffer.alloc(50_000, 'a');
    const two = Buffer.alloc(50_000, 'b');
    // 100 KB through a 64 KiB FIFO: the writers wait (EAGAIN) until it is drained.
    const writes = Promise.all([a.write(2n, one), b.write(4n, two), a.write(2n, Buffer.alloc(0))]);
    const draining = setInterval(drain, 5);
    await writes;
    clearInterval(draining);
    drain();
    await Promise.all([a.close(), b.close()]);
    closeSync(reader);
    expect(decoder.error).toBeNull();
    expect(Math.max(...sizes)).toBeLessThanOrEqual(PIPE_BUF);
    expect(Buffer.concat(got.get(2n)!).equals(one)).toBe(true);
    expect(Buffer.concat(got.get(4n)!).equals(two)).toBe(true);
    expect(got.get(2n)!.at(-1)!.length).toBe(0); // EOF last
    expect(FIFO_FRAME_DATA).toBe(PIPE_BUF - 12);
  });
});

describe('a control command on a connection of its own', () => {
  let server: Server;
  const socket = path.join(dir, 'ctl.sock');
  const seen: number[] = [];
  afterAll(() => server?.close());

  it('skips READY, NEXT and PROCESSASYNCEVENT before the answer; ERROR rejects with its message', async () => {
    server = createServer((conn) => {
      const decoder = new ControlDecoder();
      conn.on('data', (d: Buffer) => {
        for (const { code } of decoder.push(d)) {
          seen.push(code);
          conn.write(Buffer.concat([encodeControl(HYPERSTART_CODES.READY), encodeControl(HYPERSTART_CODES.NEXT, Buffer.alloc(4)), encodeControl(HYPERSTART_CODES.PROCESSASYNCEVENT, { container: 'c', process: 'c', event: 'finished', status: 0 })]));
          conn.write(code === HYPERSTART_CODES.PING ? encodeControl(HYPERSTART_CODES.ACK, Buffer.from('pong')) : encodeControl(HYPERSTART_CODES.ERROR, Buffer.from('no such container')));
        }
      });
    });
    await new Promise<void>((r) => server.listen(socket, r));
    expect((await hyperCommand(socket, HYPERSTART_CODES.PING, null, 5_000)).toString()).toBe('pong');
    await expect(hyperCommand(socket, HYPERSTART_CODES.KILLCONTAINER, { container: 'x', signal: 9 }, 5_000)).rejects.toThrow('no such container');
    expect(seen).toEqual([HYPERSTART_CODES.PING, HYPERSTART_CODES.KILLCONTAINER]);
  });

  it('times out naming the command when no answer comes, and fails at once when nothing listens', async () => {
    const silent = path.join(dir, 'silent.sock');
    const quiet = createServer(() => {});
    await new Promise<void>((r) => quiet.listen(silent, r));
    await expect(hyperCommand(silent, HYPERSTART_CODES.PING, null, 200, 0)).rejects.toThrow(/no answer to code 12 within 200 ms/);
    quiet.close();
    await expect(hyperCommand(path.join(dir, 'nobody.sock'), HYPERSTART_CODES.PING, null, 200, 0)).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
