// Relaying kata shim (bundled to dist/shim.mjs): the host stand-in for ONE container process
// whose stdio goes to the caller (a console tty, or the stdio it inherits); detached processes get
// the proxy's lean shims instead. It forwards signals and exits with the process's exit code.
//   node shim.mjs --proxy <socket> --container <cid> --exec-id <id> [--console <tty>] [--ready-fd N] <marker>
import { closeSync, openSync, writeSync } from 'node:fs';
import { ReadStream, WriteStream } from 'node:tty';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { attachOutput, type StreamOffsets } from '../protocol/attach.js';
import type { AgentClient } from '../protocol/client.js';
import { connectAgentSocket } from '../protocol/connect.js';
import { ProtocolError } from '../protocol/messages.js';

// The one positional argument is the marker that identifies this shim in `ps` (see drivers/shim/kata.ts).
const { values } = parseArgs({
  allowPositionals: true,
  options: {
    proxy: { type: 'string' },
    container: { type: 'string' },
    'exec-id': { type: 'string' },
    console: { type: 'string', default: '' },
    'ready-fd': { type: 'string' },
  },
});
const ref = { containerId: values.container ?? '', execId: values['exec-id'] ?? '' };
const FORWARDED_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2', 'SIGCONT', 'SIGTSTP'] as const;
const RECONNECT_WINDOW_MS = 10_000;
const EXIT_LOST = 255;
/** The driver waits on this pipe: our PID only becomes the container's PID once signals are forwarded. */
let readyFd = values['ready-fd'] ? Number(values['ready-fd']) : null;

function announceReady(): void {
  if (readyFd === null) return;
  writeSync(readyFd, 'ready\n');
  closeSync(readyFd);
  readyFd = null;
}

let client = null as AgentClient | null;
for (const signal of FORWARDED_SIGNALS) process.on(signal, () => void client?.call('SignalProcess', { ...ref, signal }).catch(() => {}));

/** Where the process's stdio goes: the console tty, or our inherited stdio. */
function openTerminal() {
  if (!values.console) return { input: process.stdin, stdout: process.stdout, stderr: process.stderr, size: process.stdout.isTTY ? process.stdout : null };
  const fd = openSync(values.console, 'r+');
  const input = new ReadStream(fd);
  input.setRawMode(true);
  const output = new WriteStream(fd);
  return { input, stdout: output, stderr: output, size: output };
}
const terminal = openTerminal();
/** Live stream positions of the current attachment: a reconnect resumes from there, without duplicates. */
let resumeFrom: StreamOffsets = { stdout: 0, stderr: 0 };

/** One connection to the proxy; resolves with the exit code, throws when the connection is lost. */
async function follow(): Promise<number> {
  client = await connectAgentSocket(values.proxy ?? '');
  announceReady();
  const lost = new Promise<never>((_, reject) => client!.onClose(() => reject(new ProtocolError('DISCONNECTED', 'proxy connection lost'))));
  lost.catch(() => {});
  resumeFrom = (await attachOutput(client, ref, (stream, data) => terminal[stream].write(data), resumeFrom)).offsets;
  const { body } = await Promise.race([client.call('WaitProcess', ref, { timeoutMs: 0 }), lost]);
  return body.exitCode;
}

function relayInput(): void {
  terminal.input.on('data', (data: Buffer) => void client?.request('WriteStdin', ref, { payload: data }).catch(() => {}));
  terminal.input.on('end', () => void client?.call('CloseStdin', ref).catch(() => {}));
  const size = terminal.size;
  if (!size) return;
  let last = '';
  const sendSize = () => {
    const [columns, rows] = size.getWindowSize();
    if (`${rows}x${columns}` === last) return;
    last = `${rows}x${columns}`;
    void client?.call('TtyWinResize', { ...ref, rows, columns }).catch(() => {});
  };
  // We are not the tty's session leader, so SIGWINCH never reaches us: poll the size instead.
  setInterval(sendSize, 500).unref();
}

async function main(): Promise<number> {
  let deadline = Date.now() + RECONNECT_WINDOW_MS;
  relayInput();
  for (;;) {
    try {
      return await follow();
    } catch (err) {
      const retryable = err instanceof ProtocolError && err.code === 'DISCONNECTED';
      const refused = (err as NodeJS.ErrnoException).code === 'ECONNREFUSED' || (err as NodeJS.ErrnoException).code === 'ENOENT';
      if ((!retryable && !refused) || Date.now() > deadline) {
        process.stderr.write(`kata-shim ${ref.containerId}/${ref.execId}: ${err instanceof Error ? err.message : String(err)}\n`);
        return EXIT_LOST;
      }
      if (retryable) deadline = Date.now() + RECONNECT_WINDOW_MS;
      await sleep(300);
    }
  }
}

const exitCode = await main();
// process.exit() does not wait for pending writes to a pipe: flush the last output first.
await Promise.all([terminal.stdout, terminal.stderr].map((stream) => new Promise((done) => stream.write('', done))));
if (terminal.input instanceof ReadStream) terminal.input.setRawMode(false);
client?.close();
process.exit(exitCode);
