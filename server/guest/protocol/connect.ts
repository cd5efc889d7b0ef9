// Connects a host client (engine driver, shim, bench) to a unix socket: any socket, and one
// speaking the agent protocol.
import { connect, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SocketChannel } from './channel.js';
import { AgentClient } from './client.js';

/** A connected socket; rejects with connect()'s error (ENOENT, ECONNREFUSED, EAGAIN). */
export function connectUnix(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    socket.once('connect', () => resolve(socket)).once('error', reject);
  });
}

/**
 * For a socket that serves one client at a time (QEMU's serial chardev, reached without a proxy):
 * QEMU's listen backlog is 1, so while one client is served and one waits, connect() fails with
 * EAGAIN; that is retried for `waitMs`. The connection may then wait in the backlog until QEMU
 * accepts it: whatever is said on it first needs a long timeout.
 */
export async function connectUnixWhenFree(path: string, waitMs: number): Promise<Socket> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      return await connectUnix(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() > deadline) throw err;
      await sleep(20 + Math.random() * 30); // jittered so waiting shims do not retry in lockstep
    }
  }
}

export async function connectAgentSocket(path: string, handshakeTimeoutMs = 5_000): Promise<AgentClient> {
  return AgentClient.connect(new SocketChannel(await connectUnix(path)), { timeoutMs: handshakeTimeoutMs });
}

/** connectUnixWhenFree, then the handshake (long: the connection may wait in QEMU's backlog). */
export async function connectAgentSocketWhenFree(path: string, options: { waitMs: number; handshakeTimeoutMs: number }): Promise<AgentClient> {
  return AgentClient.connect(new SocketChannel(await connectUnixWhenFree(path, options.waitMs)), { timeoutMs: options.handshakeTimeoutMs });
}
