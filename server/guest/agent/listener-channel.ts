// A unix-socket stand-in for the virtio-serial port, for running the agent on a host in tests:
// one host connection at a time, a newer connection replaces the older one (a reset in between).
import { createServer, type Server, type Socket } from 'node:net';
import { rm } from 'node:fs/promises';
import { ChannelBase } from '../protocol/channel.js';

export class ListenerChannel extends ChannelBase {
  private current: Socket | null = null;

  private constructor(private readonly server: Server) {
    super();
    server.on('connection', (socket) => this.adopt(socket));
  }

  static async listen(path: string): Promise<ListenerChannel> {
    await rm(path, { force: true });
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(path, resolve));
    return new ListenerChannel(server);
  }

  /** Bytes written while no host is connected are dropped; the session handshake would discard them anyway. */
  write(data: Buffer): Promise<void> {
    const socket = this.current;
    if (!socket) return Promise.resolve();
    return new Promise((resolve) => socket.write(data, () => resolve()));
  }

  protected shutdown(): void {
    this.current?.destroy();
    this.server.close();
  }

  private adopt(socket: Socket): void {
    this.current?.destroy();
    this.current = socket;
    this.emitReset();
    socket.on('data', (data: Buffer) => {
      if (this.current === socket) this.emitData(data);
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      if (this.current !== socket) return;
      this.current = null;
      this.emitReset();
    });
  }
}
