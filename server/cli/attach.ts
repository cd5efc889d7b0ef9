// `container enter` without --json: our stdio becomes the process's, like `docker exec -i[t]`.
// Input is forwarded until the process exits; the CLI then exits with the process's exit code.
import { finished } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';
import type { ProcessIo } from '../engine/index.js';

/** How long output may trail the exit status before we stop waiting for a driver to end its streams. */
const OUTPUT_DRAIN_MS = 2_000;
/** Without a terminal, ^C reaches us rather than the process: pass it (and its kin) on. */
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

// The helpers below fire and forget: a call failing because the process just exited changes
// nothing, the exit code from wait() is what the user gets.
const ignore = () => undefined;

/** Raw mode and the window size, sent first and again on every SIGWINCH (stdout's 'resize'); also podvisor-oci's relay's. */
export async function shareTerminal(io: ProcessIo): Promise<() => void> {
  const { stdin, stdout } = process;
  if (stdin.isTTY) stdin.setRawMode(true);
  // A terminal of unknown size (0x0, e.g. under script(1)) has nothing to tell the guest.
  const resize = async () => {
    if (stdout.rows > 0 && stdout.columns > 0) await io.resize(stdout.rows, stdout.columns).catch(ignore);
  };
  if (stdout.isTTY) {
    await resize();
    stdout.on('resize', resize);
  }
  return () => {
    stdout.off('resize', resize);
    if (stdin.isTTY) stdin.setRawMode(false);
  };
}

function pumpStdin(io: ProcessIo): () => void {
  const { stdin } = process;
  (async () => {
    for await (const chunk of stdin) await io.writeStdin(chunk as Buffer);
    await io.closeStdin();
  })().catch(ignore);
  // Stops the loop above and releases stdin, which would otherwise keep the CLI alive.
  return () => stdin.destroy();
}

function forwardSignals(io: ProcessIo): () => void {
  const forward = (signal: NodeJS.Signals) => void io.signal(signal).catch(ignore);
  for (const signal of FORWARDED_SIGNALS) process.on(signal, forward);
  return () => FORWARDED_SIGNALS.forEach((signal) => process.off(signal, forward));
}

export async function attachStdio(io: ProcessIo, { tty }: { tty: boolean }): Promise<number> {
  io.stdout.pipe(process.stdout, { end: false });
  io.stderr.pipe(process.stderr, { end: false });
  const outputEnded = Promise.all([finished(io.stdout), finished(io.stderr)]).catch(ignore);
  const undo: (() => void)[] = [];
  try {
    if (tty) undo.push(await shareTerminal(io));
    undo.push(forwardSignals(io), pumpStdin(io));
    const { exitCode } = await io.wait();
    await Promise.race([outputEnded, delay(OUTPUT_DRAIN_MS, undefined, { ref: false })]);
    return exitCode;
  } finally {
    for (const step of undo.reverse()) step();
    io.close();
  }
}
