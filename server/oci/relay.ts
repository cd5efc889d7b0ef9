// The relay: the host process whose PID podvisor-oci writes to --pid-file. runc leaves the
// container's init behind as a child of conmon; in a VM there is no such host process, so `create`
// and `exec` leave this one: it holds conmon's stdio, relays the container process's output onto
// it (what `podman logs` shows) and its stdin into it, passes on the signals it gets, and exits
// with the process's exit code (what `podman wait` returns). Once `create` has exited, conmon (a
// child subreaper) is its parent, so conmon reaps it as it would reap runc's init.
//
// The init relay exists before the process does (OCI `create` precedes `start`): it waits on a
// unix socket in the container's state dir for `start` to send the process token. An exec relay
// gets its token in argv. Either tells its spawner it is ready on fd 3.
//
// With a terminal (--console-socket), pty-handoff.ts has made our stdio the slave of a pty whose
// master the client holds: the guest process has a pty of its own, so ours passes bytes through
// raw, and the client's resizes (SIGWINCH on our terminal) are passed on, as `podvisor container
// enter` does on a terminal (server/cli/attach.ts).
import { closeSync, writeSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { finished } from 'node:stream/promises';
import { setTimeout as delay } from 'node:timers/promises';
import { shareTerminal } from '../cli/attach.js';
import type { ProcessIo, VC } from '../engine/index.js';

/** The process lost (the pod gone, the agent unreachable): what `podman wait` says then. */
export const EXIT_LOST = 255;
const OUTPUT_DRAIN_MS = 2_000;
const FORWARDED: NodeJS.Signals[] = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];
const READY_FD = 3;

export interface RelayOptions {
  vc: VC;
  podId: string;
  containerId: string;
  /** An exec's token; absent for the init relay, which waits for `start` on `socketPath`. */
  token?: string;
  socketPath: string;
  /** Our stdio is a terminal joined to the process's (the guest gave it a pty). */
  tty: boolean;
}

function tellSpawner(line: string): void {
  try {
    writeSync(READY_FD, `${line}\n`);
    closeSync(READY_FD);
  } catch {
    // Nobody is listening any more: the spawner gave up on us and will clean up.
  }
}

/** The one line `start` sends: the token of the process to relay. Answers "ok" once attached. */
function awaitStart(socketPath: string, attach: (token: string) => Promise<ProcessIo>): Promise<ProcessIo> {
  return new Promise((resolve, reject) => {
    const server = createServer((sock: Socket) => {
      let buf = '';
      sock.setEncoding('utf8');
      sock.on('data', (chunk: string) => {
        buf += chunk;
        const nl = buf.indexOf('\n');
        if (nl < 0) return;
        const token = buf.slice(0, nl);
        attach(token).then(
          (io) => {
            sock.end('ok\n');
            server.close();
            resolve(io);
          },
          (err: Error) => sock.end(`error ${err.message.replace(/\n/g, ' ')}\n`),
        );
      });
      sock.on('error', () => {});
    });
    server.once('error', reject);
    server.listen(socketPath, () => tellSpawner('ready'));
  });
}

async function relay(io: ProcessIo, tty: boolean): Promise<number> {
  io.stdout.pipe(process.stdout, { end: false });
  io.stderr.pipe(process.stderr, { end: false });
  const outputEnded = Promise.all([finished(io.stdout), finished(io.stderr)]).catch(() => undefined);
  const forward = (signal: NodeJS.Signals) => void io.signal(signal).catch(() => undefined);
  for (const s of FORWARDED) process.on(s, forward);
  const unshare = tty ? await shareTerminal(io) : () => undefined;
  // conmon gives a pipe with -i, /dev/null otherwise: either way EOF closes the process's stdin.
  // A terminal has no EOF: the process's pty gets ^D as the byte it is, as under runc.
  void (async () => {
    for await (const chunk of process.stdin) await io.writeStdin(chunk as Buffer);
    await io.closeStdin();
  })().catch(() => undefined);
  try {
    const { exitCode } = await io.wait();
    await Promise.race([outputEnded, delay(OUTPUT_DRAIN_MS, undefined, { ref: false })]);
    return exitCode;
  } catch {
    return EXIT_LOST;
  } finally {
    unshare();
    io.close();
  }
}

/** Runs a relay to the end; resolves with the exit code the process must exit with. */
export async function runRelay(opts: RelayOptions): Promise<number> {
  const attach = (token: string) => opts.vc.attachProcess(opts.podId, opts.containerId, token);
  let io: ProcessIo;
  if (opts.token) {
    try {
      io = await attach(opts.token);
    } catch (err) {
      tellSpawner(`error ${(err as Error).message.replace(/\n/g, ' ')}`);
      return EXIT_LOST;
    }
    tellSpawner('ready');
  } else {
    io = await awaitStart(opts.socketPath, attach);
  }
  // Output and exit come through `io` from here on: the store is no longer needed.
  await opts.vc.close().catch(() => undefined);
  return relay(io, opts.tty);
}
