// The kata shim of a process when there is no proxy (noProxy): the agent's serial socket serves one
// client at a time, so this shim never holds it for long. It asks WaitProcess with a short timeout
// every POLL_MS and lets go; it forwards the signals it gets with SignalProcess; it exits with the
// process's exit code, or 255 once the agent stays unreachable (the VM is gone) or forgot the process.
import { setTimeout as sleep } from 'node:timers/promises';
import type { AgentClient } from '../../guest/protocol/client.js';
import { connectAgentSocketWhenFree } from '../../guest/protocol/connect.js';
import { ProtocolError } from '../../guest/protocol/messages.js';
import { EXIT_LOST, FORWARDED_SIGNALS } from '../shim-contract.js';

export { EXIT_LOST } from '../shim-contract.js';
const FORWARDED = [...FORWARDED_SIGNALS, 'SIGTSTP'] as const;

export interface DirectShimOptions {
  agentSocket: string;
  containerId: string;
  execId: string;
  log(message: string): void;
  /** Called once the signal handlers are installed. */
  onReady(): void;
  pollMs?: number;
  /** How long one WaitProcess may hold the socket. */
  waitMs?: number;
  /** Consecutive connection failures before the agent counts as gone. */
  maxFailures?: number;
}

export async function runDirectShim(options: DirectShimOptions): Promise<number> {
  const { agentSocket, containerId, execId, log, pollMs = 1_000, waitMs = 250, maxFailures = 10 } = options;
  const ref = { containerId, execId };
  // One connection at a time from this shim: signals and polls queue behind each other.
  let queue: Promise<unknown> = Promise.resolve();
  const withAgent = <T>(fn: (client: AgentClient) => Promise<T>): Promise<T> => {
    const run = queue.then(async () => {
      // Others (the engine, sibling shims) hold the socket in turn: waiting for it is not failing.
      const client = await connectAgentSocketWhenFree(agentSocket, { waitMs: 10 * 60_000, handshakeTimeoutMs: 60_000 });
      try {
        return await fn(client);
      } finally {
        client.close();
      }
    });
    queue = run.catch(() => {});
    return run;
  };
  for (const signal of FORWARDED) {
    process.on(signal, () => void withAgent((c) => c.call('SignalProcess', { ...ref, signal })).catch((err: Error) => log(`forwarding ${signal}: ${err.message}`)));
  }
  options.onReady();
  // A WaitProcess that times out means "still running": the agent answered, the process did not end.
  const poll = (c: AgentClient) =>
    c.call('WaitProcess', ref, { timeoutMs: waitMs }).then(
      ({ body }) => body.exitCode,
      (err: unknown) => (err instanceof ProtocolError && err.code === 'TIMEOUT' ? null : Promise.reject(err)),
    );
  for (let failures = 0; failures < maxFailures; await sleep(pollMs)) {
    try {
      const exitCode = await withAgent(poll);
      if (exitCode !== null) return exitCode;
      failures = 0;
    } catch (err) {
      if (err instanceof ProtocolError && err.code === 'NOT_FOUND') return EXIT_LOST;
      failures++;
      log(`polling ${containerId}/${execId}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return EXIT_LOST;
}
