// A byte channel between host and guest: a unix socket, the guest's virtio-serial port, or an
// in-memory pair for tests. `reset` means "the peer went away but the channel lives on"
// (virtio-serial while no host is connected): a partial frame received so far is void.
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';

export interface Channel {
  write(data: Buffer): Promise<void>;
  onData(listener: (data: Buffer) => void): void;
  onReset(listener: () => void): void;
  /** The channel is gone for good. */
  onClose(listener: () => void): void;
  close(): void;
}

/** Shared listener plumbing; implementations call emitData/emitReset/emitClose. */
export abstract class ChannelBase implements Channel {
  private readonly events = new EventEmitter();
  private closed = false;

  abstract write(data: Buffer): Promise<void>;
  protected abstract shutdown(): void;

  onData(listener: (data: Buffer) => void): void {
    this.events.on('data', listener);
  }
  onReset(listener: () => void): void {
    this.events.on('reset', listener);
  }
  onClose(listener: () => void): void {
    this.events.on('close', listener);
  }
  close(): void {
    if (this.closed) return;
    this.shutdown();
    this.emitClose();
  }
  get isClosed(): boolean {
    return this.closed;
  }
  protected emitData(data: Buffer): void {
    this.events.emit('data', data);
  }
  protected emitReset(): void {
    this.events.emit('reset');
  }
  protected emitClose(): void {
    if (this.closed) return;
    this.closed = true;
    this.events.emit('close');
  }
}

export class SocketChannel extends ChannelBase {
  constructor(private readonly socket: Socket) {
    super();
    socket.on('data', (data: Buffer) => this.emitData(data));
    socket.on('close', () => this.emitClose());
    socket.on('error', () => socket.destroy());
  }
  write(data: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.isClosed) return reject(new Error('channel closed'));
      this.socket.write(data, (err) => (err ? reject(err) : resolve()));
    });
  }
  protected shutdown(): void {
    this.socket.destroy();
  }
}

/** One end of an in-memory pair; bytes are delivered asynchronously, in order. */
export class MemoryChannel extends ChannelBase {
  peer: MemoryChannel | null = null;

  write(data: Buffer): Promise<void> {
    const peer = this.peer;
    if (this.isClosed || !peer) return Promise.reject(new Error('channel closed'));
    const copy = Buffer.from(data);
    setImmediate(() => peer.emitData(copy));
    return Promise.resolve();
  }
  /** Tells this end that its peer went away and a new one may follow (virtio-serial semantics). */
  simulateReset(): void {
    this.emitReset();
  }
  protected shutdown(): void {
    const peer = this.peer;
    this.peer = null;
    if (peer) setImmediate(() => peer.close());
  }
}

export function createMemoryChannelPair(): [MemoryChannel, MemoryChannel] {
  const a = new MemoryChannel();
  const b = new MemoryChannel();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
