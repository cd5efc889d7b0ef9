// Connects a host client (engine driver, shim, bench) to a unix socket speaking the agent protocol.
import { connect } from 'node:net';
import { SocketChannel } from './channel.js';
import { AgentClient } from './client.js';

export async function connectAgentSocket(path: string, handshakeTimeoutMs = 5_000): Promise<AgentClient> {
  const socket = connect(path);
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return AgentClient.connect(new SocketChannel(socket), { timeoutMs: handshakeTimeoutMs });
}
