// Lean shims, owned by the proxy: per container process, one tiny `sh` (~2 MB, vs ~50 MB for a
// node shim) whose PID stands for the process. It turns the signals it gets into lines on its
// stdout (forwarded with SignalProcess) and exits with the exit code we write to its stdin once
// WaitProcess returns; if the proxy goes away, its stdin ends and it exits 255.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { AgentClient } from '../../guest/protocol/client.js';
import { ProtocolError } from '../../guest/protocol/messages.js';
import type { ProcessRef } from '../../guest/protocol/attach.js';
import { EXIT_LOST, FORWARDED_SIGNALS } from '../shim-contract.js';

/** sh's trap takes names without SIG. */
const FORWARDED = [...FORWARDED_SIGNALS, 'SIGTSTP'].map((s) => s.slice('SIG'.length));

/** `read` is interrupted by trapped signals (loop again); it fails without one only at EOF. */
const SCRIPT = [
  ...FORWARDED.map((s) => `trap 'echo ${s}; caught=1' ${s}`),
  'echo ready',
  'while :; do',
  '  if read -r code; then exit "$code"; fi',
  '  if [ -n "$caught" ]; then caught=; continue; fi',
  `  exit ${EXIT_LOST}`,
  'done',
].join('\n');

export class ProcessShims {
  constructor(
    private readonly upstream: Promise<AgentClient>,
    private readonly log: (message: string) => void,
  ) {}

  /** Starts the shim of one process; resolves with its PID once its signal traps are in place. */
  start(ref: ProcessRef, marker: string): Promise<number> {
    // `marker` is an argument of its own so the engine can recognise this PID later.
    const child = spawn('sh', ['-c', SCRIPT, 'podvisor-shim', marker], { stdio: ['pipe', 'pipe', 'ignore'], detached: true });
    child.stdin.on('error', () => {});
    const forward = (signal: string) =>
      void this.upstream.then((client) => client.call('SignalProcess', { ...ref, signal })).catch((err: Error) => this.log(`forwarding ${signal} to ${marker}: ${err.message}`));
    return new Promise((resolve, reject) => {
      child.once('error', (err) => reject(new ProtocolError('SHIM_FAILED', `cannot start the shim of ${marker}: ${err.message}`)));
      child.once('exit', (_code, signal) => {
        reject(new ProtocolError('SHIM_FAILED', `the shim of ${marker} exited at once`));
        // SIGKILL cannot be trapped: pass it on, so `kill -9 <pid>` still reaches the process.
        if (signal === 'SIGKILL') forward('KILL');
      });
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (line !== 'ready') return forward(line);
        resolve(child.pid!);
        void this.relayExit(ref, (code) => child.stdin.end(`${code}\n`));
      });
    });
  }

  private async relayExit(ref: ProcessRef, exit: (code: number) => void): Promise<void> {
    try {
      const client = await this.upstream;
      exit((await client.call('WaitProcess', ref, { timeoutMs: 0 })).body.exitCode);
    } catch {
      exit(EXIT_LOST);
    }
  }
}
