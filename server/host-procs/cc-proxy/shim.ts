// ccShim: the host process standing for one container process behind the ccProxy, as cc-shim:
// it binds to the process's I/O token, relays stdio (only with --relay: the engine runs shims
// detached, a follower attaches through the engine instead), forwards the signals it gets
// (SIGWINCH as a window-size change) and exits with the process's exit code. Its PID is the
// container process's PID. A lost proxy connection (the proxy was killed) is retried until a new
// proxy serves the token again; 255 once it never comes back.
import { setTimeout as sleep } from 'node:timers/promises';
import { constants } from 'node:os';
import { CcClient } from '../../engine/drivers/proxy/cc/client.js';
import { socketPathOf } from '../../engine/drivers/proxy/types.js';
import { EXIT_LOST, FORWARDED_SIGNALS } from '../shim-contract.js';

const FORWARDED = [...FORWARDED_SIGNALS, 'SIGWINCH'] as const;

export interface CcShimOptions {
  proxyUrl: string;
  token: string;
  relay: boolean;
  log(message: string): void;
  onReady(): Promise<void>;
  /** How long a lost proxy may stay away before the shim gives up. */
  reconnectMs?: number;
}

export async function runCcShim(options: CcShimOptions): Promise<number> {
  const { proxyUrl, token, relay, log, reconnectMs = 10 * 60_000 } = options;
  const path = socketPathOf(proxyUrl);
  let client: CcClient | null = null;
  let exit!: (code: number) => void;
  const exited = new Promise<number>((resolve) => (exit = resolve));

  const bindOnce = async () => {
    const c = await CcClient.connect(path);
    c.onStream((stream, data) => relay && (stream === 'stdout' ? process.stdout : process.stderr).write(data));
    c.onProcessExited((event) => event.token === token && exit(event.exitCode));
    await c.command('ConnectShim', { token });
    return c;
  };
  /** Connects (again), retrying while the proxy is away; rejects once reconnectMs passed. */
  const bind = async () => {
    for (const deadline = Date.now() + reconnectMs; ; await sleep(250)) {
      try {
        client = await bindOnce();
        client.onClose(() => {
          client = null;
          log('proxy connection lost; reconnecting');
          bind().catch((err: Error) => (log(err.message), exit(EXIT_LOST)));
        });
        return;
      } catch (err) {
        if (Date.now() > deadline) throw new Error(`the ccProxy at ${path} stayed unreachable: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  };

  await bind();
  for (const signal of FORWARDED) {
    process.on(signal, () => {
      const size = signal === 'SIGWINCH' && process.stdout.isTTY ? { columns: process.stdout.columns, rows: process.stdout.rows } : {};
      void client?.command('Signal', { signalNumber: constants.signals[signal], ...size }).catch((err: Error) => {
        log(`forwarding ${signal}: ${err.message}`);
        // A signal that cannot reach the process must not leave an unkillable PID behind.
        if (signal === 'SIGTERM' || signal === 'SIGINT') exit(128 + constants.signals[signal]);
      });
    });
  }
  if (relay) {
    process.stdin.on('data', (data: Buffer) => void client?.writeStdin(data).catch(() => {}));
    process.stdin.on('end', () => void client?.writeStdin(Buffer.alloc(0)).catch(() => {}));
  }
  // A process that ended already (ProcessExited came with the replay) still announces first.
  await options.onReady();
  return exited;
}
