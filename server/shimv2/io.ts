// A process's stdio as containerd hands it to a shim: FIFO paths (empty when unused), driven by
// libuv as pipes (net.Socket), so no thread waits on one. Output FIFOs are opened for writing
// only once containerd's reader has its end open (O_NONBLOCK fails with ENXIO until then, and
// output written into a FIFO nobody has open is lost when we close it); until then the process's
// output waits in its stream. stdin is opened O_RDWR, so our reading end never sees an EOF of its
// own: containerd says CloseIO instead, and that closes the process's stdin.
import { constants, openSync } from 'node:fs';
import { Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import type { ProcessIo } from '../engine/index.js';

const OUTPUT_DRAIN_MS = 2_000;

/** How long an output FIFO may wait for containerd's reader before its output is given up. */
const READER_WAIT_MS = 30_000;

function openStdin(path: string): Socket | null {
  if (!path) return null;
  return new Socket({ fd: openSync(path, constants.O_RDWR | constants.O_NONBLOCK), readable: true, writable: false });
}

async function openOutput(path: string): Promise<Socket | null> {
  if (!path) return null;
  const until = Date.now() + READER_WAIT_MS;
  for (;;) {
    try {
      return new Socket({ fd: openSync(path, constants.O_WRONLY | constants.O_NONBLOCK), readable: false, writable: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENXIO' || Date.now() > until) return null;
      await delay(10); // containerd's reader is not there yet
    }
  }
}

export interface WiredIo {
  closeStdin(): Promise<void>;
  /** Resolves with the exit code once the process has exited and its output is out (or 2 s later). */
  exited: Promise<number>;
}

export function wireFifos(io: ProcessIo, paths: { stdin: string; stdout: string; stderr: string }): WiredIo {
  const stdin = openStdin(paths.stdin);
  stdin?.on('error', () => undefined);
  const pipeTo = async (from: NodeJS.ReadableStream, fifo: string) => {
    const to = await openOutput(fifo);
    if (!to) return void from.resume(); // unused (or never read): drain it
    to.on('error', () => undefined);
    from.pipe(to);
    // from's end ends `to`; closing our fd is what gives containerd's reader its EOF.
    await new Promise<void>((resolve) => to.once('close', () => resolve()).once('finish', () => to.destroy()));
  };
  const outputDone = Promise.all([pipeTo(io.stdout, paths.stdout), pipeTo(io.stderr, paths.stderr)]);
  stdin?.on('data', (chunk: Buffer) => void io.writeStdin(chunk).catch(() => undefined));
  let stdinClosed = false;
  const closeStdin = async () => {
    if (stdinClosed) return;
    stdinClosed = true;
    stdin?.destroy();
    await io.closeStdin().catch(() => undefined);
  };
  if (!stdin) void closeStdin();
  const exited = (async () => {
    let code: number;
    try {
      code = (await io.wait()).exitCode;
    } catch {
      code = 255; // the process cannot be reached any more: the pod is gone
    }
    // Output may trail the exit status; a driver that never ends its streams gets 2 s.
    await Promise.race([outputDone, delay(OUTPUT_DRAIN_MS, undefined, { ref: false })]);
    stdin?.destroy();
    io.close();
    return code;
  })();
  return { closeStdin, exited };
}
