// A process's stdio as containerd hands it to a shim: FIFO paths (empty when unused). Each FIFO
// is opened O_RDWR|O_NONBLOCK — never blocking, whether or not containerd's end is open yet — and
// driven by libuv as a pipe (net.Socket), so no thread waits on it. O_RDWR also means our reading
// end of stdin never sees EOF: containerd says CloseIO instead, and that closes the process's stdin.
import { constants, openSync } from 'node:fs';
import { Socket } from 'node:net';
import { finished } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';
import type { ProcessIo } from '../engine/index.js';

const OUTPUT_DRAIN_MS = 2_000;

function openFifo(path: string): Socket | null {
  if (!path) return null;
  const fd = openSync(path, constants.O_RDWR | constants.O_NONBLOCK);
  return new Socket({ fd, readable: true, writable: true });
}

export interface WiredIo {
  closeStdin(): Promise<void>;
  /** Resolves with the exit code once the process has exited and its output is out (or 2 s later). */
  exited: Promise<number>;
}

export function wireFifos(io: ProcessIo, paths: { stdin: string; stdout: string; stderr: string }): WiredIo {
  const stdin = openFifo(paths.stdin);
  const stdout = openFifo(paths.stdout);
  const stderr = openFifo(paths.stderr);
  for (const s of [stdin, stdout, stderr]) s?.on('error', () => undefined);
  if (stdout) io.stdout.pipe(stdout, { end: false });
  else io.stdout.resume();
  if (stderr) io.stderr.pipe(stderr, { end: false });
  else io.stderr.resume();
  stdin?.on('data', (chunk: Buffer) => void io.writeStdin(chunk).catch(() => undefined));
  const outputEnded = Promise.all([finished(io.stdout), finished(io.stderr)]).catch(() => undefined);
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
    await Promise.race([outputEnded, delay(OUTPUT_DRAIN_MS, undefined, { ref: false })]);
    // end() lets what is queued reach containerd's reader; only closing our fd gives it EOF.
    await Promise.all([stdout, stderr].map((s) => (s ? new Promise<void>((resolve) => (s.once('close', () => resolve()), s.end(() => s.destroy()))) : undefined)));
    stdin?.destroy();
    io.close();
    return code;
  })();
  return { closeStdin, exited };
}
