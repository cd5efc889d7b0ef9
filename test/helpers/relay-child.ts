// The CLI's foreground relay (server/cli/attach.ts) in a process of its own, on a ProcessIo over a
// real `sh -c SCRIPT` instead of a guest process: what the relay does with this process's stdio,
// signals and exit code is then observable from outside. `tty` as the second argument asks for
// terminal mode; each resize the relay sends is reported on stderr as `resize ROWSxCOLUMNS`.
//   node --import tsx test/helpers/relay-child.ts SCRIPT [tty]
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { attachStdio } from '../../server/cli/attach.js';
import type { ProcessIo } from '../../server/engine/index.js';

const [script = 'true', mode] = process.argv.slice(2);
const sh = spawn('sh', ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });
// Input that arrives after the process exited is lost, as with a guest process; not an error here.
sh.stdin.on('error', () => undefined);
const exited = new Promise<{ exitCode: number }>((resolve) =>
  sh.once('exit', (code, signal) => resolve({ exitCode: code ?? 128 + (signal ? constants.signals[signal] : 0) })),
);

const io: ProcessIo = {
  stdout: sh.stdout,
  stderr: sh.stderr,
  writeStdin: async (data) => void sh.stdin.write(data),
  closeStdin: async () => void sh.stdin.end(),
  resize: async (rows, columns) => void process.stderr.write(`resize ${rows}x${columns}\n`),
  signal: async (signal) => void sh.kill(signal as NodeJS.Signals),
  wait: () => exited,
  close: () => undefined,
};

process.exitCode = await attachStdio(io, { tty: mode === 'tty' });
