// ccShim with noProxy (hyperstart, no ccProxy to bind a token with): it follows the stream port's
// file for its process's frames and exit code, writes stdin frames into the port's FIFO, and sends
// WINSIZE / KILLCONTAINER on a control connection of their own. It exits with the process's code,
// or 255 once the VM stops listening (QEMU gone) before the process ended.
import { constants } from 'node:os';
import { FifoWriter, followProcess, hyperCommand, seqOfToken, writeExitRecord } from '../../engine/drivers/agent/hyperstart-direct-channel.js';
import { assertSignallable } from '../../engine/drivers/agent/hyperstart-link.js';
import { socketPathOf } from '../../engine/drivers/proxy/types.js';
import { HYPERSTART_CODES } from '../../guest/protocol/hyperstart/codes.js';
import { EXIT_LOST, FORWARDED_SIGNALS } from '../shim-contract.js';

const FORWARDED = [...FORWARDED_SIGNALS, 'SIGWINCH'] as const;

export interface DirectCcShimOptions {
  controlUrl: string;
  containerId: string;
  token: string;
  /** The process's id in the guest: the container id for its init. */
  process: string;
  output: string;
  input: string;
  relay: boolean;
  log(message: string): void;
  onReady(): Promise<void>;
}

export async function runDirectCcShim(options: DirectCcShimOptions): Promise<number> {
  const { containerId, token, process: guestProcess, relay, log } = options;
  const control = socketPathOf(options.controlUrl);
  const seq = seqOfToken(token);
  const ref = { containerId, token, guestProcess };
  let exit!: (code: number) => void;
  /** The code the stream file gave, as opposed to one this shim chose (lost VM, undeliverable signal). */
  let streamed: number | null = null;
  const exited = new Promise<number>((resolve) => (exit = resolve));
  const followed = followProcess({ output: options.output, control }, seq, {
    output: (stream, data) => relay && (stream === 'stdout' ? process.stdout : process.stderr).write(data),
    exit: (code) => exit((streamed = code)),
    lost: () => (log('the VM stopped listening'), exit(EXIT_LOST)),
  });

  // One control connection at a time from this shim: signals queue behind each other.
  let queue: Promise<unknown> = Promise.resolve();
  const send = (code: number, payload: object) => (queue = queue.then(() => hyperCommand(control, code, payload, 15_000)));
  for (const signal of FORWARDED) {
    process.on(signal, () => {
      const forward = async () => {
        if (signal === 'SIGWINCH') {
          if (process.stdout.isTTY) await send(HYPERSTART_CODES.WINSIZE, { container: containerId, process: guestProcess, row: process.stdout.rows, column: process.stdout.columns });
          return;
        }
        assertSignallable(ref);
        await send(HYPERSTART_CODES.KILLCONTAINER, { container: containerId, signal: constants.signals[signal], allProcesses: false });
      };
      forward().catch((err: Error) => {
        log(`forwarding ${signal}: ${err.message}`);
        // A signal that cannot reach the process must not leave an unkillable PID behind.
        if (signal === 'SIGTERM' || signal === 'SIGINT') exit(128 + constants.signals[signal]);
      });
    });
  }
  if (relay) {
    const writer = FifoWriter.open(options.input);
    process.stdin.on('data', (data: Buffer) => void writer.then((w) => w.write(seq, data)).catch(() => {}));
    process.stdin.on('end', () => void writer.then((w) => w.write(seq, Buffer.alloc(0))).catch(() => {}));
  }
  await options.onReady();
  const code = await exited;
  await followed.stop();
  // Read by status probes instead of the whole stream file (hyperstart-direct.ts exitOf).
  if (streamed !== null) await writeExitRecord(options.output, token, streamed).catch((err: Error) => log(`recording the exit code: ${err.message}`));
  return code;
}
