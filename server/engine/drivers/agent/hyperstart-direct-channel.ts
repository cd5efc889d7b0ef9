// The host end of hyperstart without a proxy (noProxy), where nothing holds the VM's two channels
// between calls:
// - control: each command connects to the control port's socket, sends its frame, reads to the
//   ACK or ERROR (READY, NEXT and PROCESSASYNCEVENT in between are not answers) and lets go. QEMU
//   serves one client at a time and queues one more; a third is refused with EAGAIN and retried.
// - streams: the stream port is file-backed (devices.ts `backend: 'file'`). QEMU appends every
//   frame the guest sends to a file, so output is never lost while nobody reads and any number of
//   readers follow it, each from its start, picking out their seqs; the exit code is there too
//   (EOF, then the code). The guest's stdin frames come from a FIFO: one write of at most PIPE_BUF
//   bytes lands whole, so frames from several writers never interleave.
import { constants as fsConstants } from 'node:fs';
import { mkdir, open, readFile, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { connectUnixWhenFree } from '../../../guest/protocol/connect.js';
import { HYPERSTART_CODES } from '../../../guest/protocol/hyperstart/codes.js';
import { EngineError } from '../../errors.js';
import { canConnect } from '../proxy/types.js';
import { ControlDecoder, encodeControl, encodeStream, StreamDecoder, StreamEvents, STREAM_HEADER_BYTES, type StreamEvent } from '../../../guest/protocol/hyperstart/frames.js';

export class HyperDirectError extends Error {}

/** Refused connections in a row (one check every LIVENESS_MS) before the VM counts as gone. */
const LOST_AFTER = 3;
const LIVENESS_MS = 2_000;

/** A token is its process's stdout seq (stderr is seq + 1): even, random, below 2^48. */
export const seqOfToken = (token: string): bigint => {
  if (!/^\d{1,16}$/.test(token)) throw new EngineError('INVALID_ARGUMENT', `not a hyperstart I/O token: ${token}`, { token });
  return BigInt(token);
};

/** True once the VM behind `control` stops listening (QEMU gone), checked every LIVENESS_MS; false once `stopped()`. */
async function untilControlLost(control: string, stopped: () => boolean): Promise<boolean> {
  for (let refused = 0; refused < LOST_AFTER; await sleep(LIVENESS_MS)) {
    if (stopped()) return false;
    refused = (await canConnect(control)) ? 0 : refused + 1;
  }
  return !stopped();
}

/** POSIX: a FIFO write of at most PIPE_BUF bytes is atomic (Linux: 4096). */
export const PIPE_BUF = 4096;
/** Stdin data per frame so that a frame fits one atomic FIFO write. */
export const FIFO_FRAME_DATA = PIPE_BUF - STREAM_HEADER_BYTES;

/** Reads control frames from `socket` until `done` says one is the answer; rejects on close or timeout. */
function readUntil<T>(socket: Socket, timeoutMs: number, what: string, done: (code: number, payload: Buffer) => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const decoder = new ControlDecoder();
    const timer = setTimeout(() => finish(new HyperDirectError(`no answer to ${what} within ${timeoutMs} ms`)), timeoutMs);
    const finish = (err: Error | null, value?: T) => {
      clearTimeout(timer);
      socket.removeAllListeners('data');
      if (err) reject(err);
      else resolve(value as T);
    };
    socket.on('data', (chunk: Buffer) => {
      for (const { code, payload } of decoder.push(chunk)) {
        let answer: T | undefined;
        try {
          answer = done(code, payload);
        } catch (err) {
          return finish(err as Error);
        }
        if (answer !== undefined) return finish(null, answer);
      }
      if (decoder.error) finish(decoder.error);
    });
    socket.once('close', () => finish(new HyperDirectError(`the control channel closed before ${what} was answered`)));
    socket.once('error', (err) => finish(err));
  });
}

/**
 * One hyperstart command on a connection of its own: resolves with the ACK's payload, rejects with
 * ERROR's message. `queueMs` bounds the wait for QEMU to serve this connection besides the answer.
 */
export async function hyperCommand(controlPath: string, code: number, payload: object | null, timeoutMs = 60_000, queueMs = 10 * 60_000): Promise<Buffer> {
  const socket = await connectUnixWhenFree(controlPath, queueMs);
  try {
    socket.write(encodeControl(code, payload));
    return await readUntil(socket, timeoutMs + queueMs, `code ${code}`, (c, p) => {
      if (c === HYPERSTART_CODES.ACK) return p;
      if (c === HYPERSTART_CODES.ERROR) throw new HyperDirectError(p.toString('utf8'));
      return undefined; // READY from a reconnect, NEXT (flow control), PROCESSASYNCEVENT: the streams carry exits
    });
  } finally {
    socket.destroy();
  }
}

/** Waits for the guest's READY on the control socket (it is sent once the agent serves). */
export async function awaitReady(controlPath: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let last: unknown = null; ; await sleep(100)) {
    const left = deadline - Date.now();
    if (left <= 0) throw new HyperDirectError(`no READY from the guest within ${timeoutMs} ms: ${String(last)}`);
    let socket: Socket | null = null;
    try {
      socket = await connectUnixWhenFree(controlPath, left);
      await readUntil(socket, left, 'the boot', (c) => (c === HYPERSTART_CODES.READY ? true : undefined));
      return;
    } catch (err) {
      last = err instanceof Error ? err.message : err; // QEMU not listening yet: ENOENT, ECONNREFUSED
    } finally {
      socket?.destroy();
    }
  }
}

/** A reader of the stream file: the events of the seqs it wants, from the file's start, then live. */
export class StreamFollower {
  private stopped = false;
  private readonly done: Promise<void>;

  private constructor(path: string, wants: (seq: bigint) => boolean, onEvent: (event: StreamEvent) => void, pollMs: number) {
    this.done = this.follow(path, wants, onEvent, pollMs);
  }

  /** Follows until stop(); the file not existing yet is waited for. */
  static start(path: string, wants: (seq: bigint) => boolean, onEvent: (event: StreamEvent) => void, pollMs = 50): StreamFollower {
    return new StreamFollower(path, wants, onEvent, pollMs);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }

  private async follow(path: string, wants: (seq: bigint) => boolean, onEvent: (event: StreamEvent) => void, pollMs: number): Promise<void> {
    let handle: FileHandle | null = null;
    const decoder = new StreamDecoder();
    const events = new StreamEvents();
    const buffer = Buffer.alloc(64 * 1024);
    try {
      while (!this.stopped) {
        handle ??= await open(path, 'r').catch(() => null);
        const bytesRead = handle ? (await handle.read(buffer, 0, buffer.length, null)).bytesRead : 0;
        if (bytesRead === 0) {
          await sleep(pollMs);
          continue;
        }
        for (const frame of decoder.push(Buffer.from(buffer.subarray(0, bytesRead)))) {
          // Every frame goes through StreamEvents, so an EOF of another seq cannot be misread as ours.
          const event = events.next(frame);
          if (wants(event.seq)) onEvent(event);
        }
        if (decoder.error) throw decoder.error; // the file is QEMU's copy of the guest's frames: never expected
      }
    } finally {
      await handle?.close();
    }
  }
}

export interface ProcessFollowing {
  output(stream: 'stdout' | 'stderr', data: Buffer): void;
  /** Once, with the code the stream file gives. */
  exit(exitCode: number): void;
  /** Once, instead of exit, when the VM stops listening before the process ended. */
  lost(): void;
}

/**
 * One process in the stream file (its stdout `seq`, stderr seq + 1): its output as it comes, then
 * its exit code; or lost when QEMU goes first. Nothing is reported after stop(), exit or lost.
 */
export function followProcess(paths: { output: string; control: string }, seq: bigint, on: ProcessFollowing): { stop(): Promise<void> } {
  let done = false;
  const follower = StreamFollower.start(paths.output, (s) => s === seq || s === seq + 1n, (event) => {
    if (done) return;
    if (event.kind === 'data') on.output(event.seq === seq ? 'stdout' : 'stderr', event.data);
    else if (event.kind === 'exit' && event.seq === seq) ((done = true), on.exit(event.exitCode));
  });
  void untilControlLost(paths.control, () => done).then((gone) => gone && ((done = true), on.lost()));
  return {
    stop() {
      done = true;
      return follower.stop();
    },
  };
}

/**
 * Where a process's direct ccShim records the exit code it read (`<stream file>.exits/<token>`), so
 * a status probe need not scan the whole stream file, which grows with the pod's output.
 */
export const exitRecordsDir = (output: string) => `${output}.exits`;
export const exitRecordPath = (output: string, token: string) => join(exitRecordsDir(output), token);

export async function writeExitRecord(output: string, token: string, exitCode: number): Promise<void> {
  await mkdir(exitRecordsDir(output), { recursive: true, mode: 0o700 });
  await writeFile(exitRecordPath(output, token), String(exitCode));
}

/** The recorded exit code, or null when none was written. */
export async function readExitRecord(output: string, token: string): Promise<number | null> {
  const text = await readFile(exitRecordPath(output, token), 'utf8').catch(() => null);
  return text !== null && /^\d{1,3}$/.test(text) ? Number(text) : null;
}

/** The exit code of `seq`'s process if the stream file records it, else null (running, or no file). */
export async function recordedExit(path: string, seq: bigint): Promise<number | null> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch {
    return null;
  }
  try {
    const decoder = new StreamDecoder();
    const events = new StreamEvents();
    const buffer = Buffer.alloc(256 * 1024);
    for (let n; (n = (await handle.read(buffer, 0, buffer.length, null)).bytesRead) > 0; ) {
      for (const frame of decoder.push(Buffer.from(buffer.subarray(0, n)))) {
        const event = events.next(frame);
        if (event.kind === 'exit' && event.seq === seq) return event.exitCode;
      }
    }
    return null;
  } finally {
    await handle.close();
  }
}

/** Writes stream frames into the FIFO, each in one write (EAGAIN while the guest has not read: waited). */
export class FifoWriter {
  private queue: Promise<void> = Promise.resolve();

  private constructor(private readonly handle: FileHandle) {}

  static async open(path: string): Promise<FifoWriter> {
    // O_NONBLOCK: QEMU holds the read end; a full FIFO must not block this whole process.
    return new FifoWriter(await open(path, fsConstants.O_WRONLY | fsConstants.O_NONBLOCK));
  }

  /** Data as frames of at most FIFO_FRAME_DATA bytes; an empty buffer is EOF (stdin closed). */
  write(seq: bigint, data: Buffer): Promise<void> {
    const frames = data.length === 0 ? [encodeStream(seq, data)] : [];
    for (let at = 0; at < data.length; at += FIFO_FRAME_DATA) frames.push(encodeStream(seq, data.subarray(at, at + FIFO_FRAME_DATA)));
    const run = this.queue.then(async () => {
      for (const frame of frames) await this.writeWhole(frame);
    });
    this.queue = run.catch(() => {});
    return run;
  }

  close(): Promise<void> {
    return this.queue.then(() => this.handle.close());
  }

  private async writeWhole(frame: Buffer): Promise<void> {
    for (;;) {
      try {
        const { bytesWritten } = await this.handle.write(frame, 0, frame.length, null);
        if (bytesWritten !== frame.length) throw new HyperDirectError(`a ${frame.length}-byte frame was split (${bytesWritten} written)`);
        return;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
        await sleep(10);
      }
    }
  }
}
