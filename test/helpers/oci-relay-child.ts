// podvisor-oci's relay (server/oci/relay.ts) in a process of its own, on a ProcessIo over a real
// `sh -c SCRIPT` instead of a guest process, where SCRIPT is the process token the relay is given
// (the token "bad" fails to attach, as a token the engine does not know). Its fd 3 must be a pipe.
// `tty` as the third argument: its stdio is a terminal (behind pty_handoff.py); each resize the
// relay sends is reported on stderr as `resize ROWSxCOLUMNS`.
//   node --import tsx test/helpers/oci-relay-child.ts SOCKET         (init relay: waits for start)
//   node --import tsx test/helpers/oci-relay-child.ts - TOKEN [tty]  (exec relay)
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { ProcessIo, VC } from '../../server/engine/index.js';
import { runRelay } from '../../server/oci/relay.js';

function shProcess(script: string): ProcessIo {
  const sh = spawn('sh', ['-c', script], { stdio: ['pipe', 'pipe', 'pipe'] });
  sh.stdin.on('error', () => undefined);
  const exited = new Promise<{ exitCode: number }>((resolve) =>
    sh.once('exit', (code, signal) => resolve({ exitCode: code ?? 128 + (signal ? constants.signals[signal] : 0) })),
  );
  return {
    stdout: sh.stdout,
    stderr: sh.stderr,
    writeStdin: async (data) => void sh.stdin.write(data),
    closeStdin: async () => void sh.stdin.end(),
    resize: async (rows, columns) => void process.stderr.write(`resize ${rows}x${columns}\n`),
    signal: async (signal) => void sh.kill(signal as NodeJS.Signals),
    wait: () => exited,
    close: () => undefined,
  };
}

const vc = {
  async attachProcess(_pod: string, _container: string, token: string) {
    if (token === 'bad') throw new Error('no process with token bad');
    return shProcess(token);
  },
  async close() {},
} as unknown as VC;

const [socketPath = '-', token, mode] = process.argv.slice(2);
const code = await runRelay({ vc, podId: 'p', containerId: 'c', socketPath, tty: mode === 'tty', ...(token ? { token } : {}) });
process.stdout.write('', () => process.exit(code));
