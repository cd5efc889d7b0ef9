// Where a session's output comes from: a container process (exec TTY or a container's init) or the
// VM's serial console log, tailed from its first byte. Each can pause so flow control reaches it.
import { open, stat } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import type { ProcessIo } from '../engine/index.js';

export type OutputStream = 'stdout' | 'stderr';

export interface TerminalSource {
  /** Starts delivering output, in order; only called once. */
  start(onOutput: (data: string, stream: OutputStream) => void): void;
  pause(): void;
  resume(): void;
  write?(data: string | Buffer): Promise<void>;
  resize?(rows: number, cols: number): Promise<void>;
  /** Resolves with the exit code after the last output was delivered; never, for a console log. */
  readonly exited: Promise<number>;
  /** Ends the process behind the source (a session whose grace period ran out). */
  kill(): Promise<void>;
  /** Stops reading without ending anything. */
  close(): void;
}

export function processSource(io: ProcessIo): TerminalSource {
  const streams = { stdout: io.stdout, stderr: io.stderr } as const;
  // Both streams must be read to their end before the exit counts: paused output is still inside them.
  const drained = Object.values(streams).map((s) => finished(s).catch(() => {}));
  const exited = io.wait().then(async ({ exitCode }) => (await Promise.all(drained), exitCode));
  return {
    start(onOutput) {
      for (const [name, stream] of Object.entries(streams) as [OutputStream, NodeJS.ReadableStream][]) {
        const decoder = new StringDecoder('utf8');
        stream.on('data', (chunk: Buffer) => {
          const text = decoder.write(chunk);
          if (text) onOutput(text, name);
        });
      }
    },
    pause: () => Object.values(streams).forEach((s) => s.pause()),
    resume: () => Object.values(streams).forEach((s) => s.resume()),
    write: (data) => io.writeStdin(data),
    resize: (rows, cols) => io.resize(rows, cols),
    exited,
    kill: () => io.signal('SIGKILL'),
    close: () => io.close(),
  };
}

const TAIL_POLL_MS = 250;
const TAIL_READ_BYTES = 64 * 1024;

/** A file that keeps growing (the VM console log), from its first byte, then live by polling. */
export function fileTailSource(path: string): TerminalSource {
  let offset = 0;
  let paused = false;
  let closed = false;
  let reading = false;
  let timer: NodeJS.Timeout | undefined;
  let deliver: ((data: string, stream: OutputStream) => void) | undefined;
  const decoder = new StringDecoder('utf8');

  const readChunk = async (): Promise<boolean> => {
    const size = await stat(path).then((s) => s.size, () => 0);
    if (size <= offset) return false;
    const file = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(Math.min(size - offset, TAIL_READ_BYTES));
      const { bytesRead } = await file.read(buffer, 0, buffer.length, offset);
      offset += bytesRead;
      const text = decoder.write(buffer.subarray(0, bytesRead));
      if (text && !closed) deliver?.(text, 'stdout');
      return bytesRead > 0;
    } finally {
      await file.close();
    }
  };
  // One read loop at a time: it reads back to back while the file has more, then polls.
  const loop = async () => {
    if (paused || closed || reading || !deliver) return;
    reading = true;
    const more = await readChunk().catch(() => false);
    reading = false;
    if (!paused && !closed) timer = setTimeout(loop, more ? 0 : TAIL_POLL_MS);
  };
  return {
    start(onOutput) {
      deliver = onOutput;
      void loop();
    },
    pause: () => void (paused = true),
    resume() {
      paused = false;
      clearTimeout(timer);
      void loop();
    },
    exited: new Promise<number>(() => {}),
    kill: async () => {},
    close() {
      closed = true;
      clearTimeout(timer);
    },
  };
}
