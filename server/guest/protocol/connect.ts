// Connects a host client (engine driver, shim, bench) to a unix socket speaking the agent protocol.
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SocketChannel } from './channel.js';
import { AgentClient } from './client.js';

export async function connectAgentSocket(path: string, handshakeTimeoutMs = 5_000): Promise<AgentClient> {
  const socket = connect(path);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return AgentClient.connect(new SocketChannel(socket), { timeoutMs: handshakeTimeoutMs });
}

/**
 * For a socket that serves one client at a time (QEMU's serial chardev, reached without a proxy):
 * QEMU's listen backlog is 1, so while one client is served and one waits, connect() fails with
 * EAGAIN; that is retried for `waitMs`. A connection waiting in the backlog handshakes once QEMU
 * accepts it, hence the long handshake timeout.
 */
export async function connectAgentSocketWhenFree(path: string, options: { waitMs: number; handshakeTimeoutMs: number }): Promise<AgentClient> {
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    try {
      return await connectAgentSocket(path, options.handshakeTimeoutMs);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() > deadline) throw err;
      await sleep(20 + Math.random() * 30); // jittered so waiting shims do not retry in lockstep
    }
  }
}
