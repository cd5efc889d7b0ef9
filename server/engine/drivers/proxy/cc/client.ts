// A connection to the ccProxy, as the engine's hyperstart driver and every ccShim make one:
// commands answered in order by responses (the Error flag set: the payload is the message),
// stream frames (stdout/stderr of the token this connection is bound to) and notifications
// (ProcessExited) handed to listeners. Shared by the engine and the ccShim program.
import { connect, type Socket } from 'node:net';
import { CcFrameDecoder, Command, encodeCcFrame, Notification, Stream, type CcFrame, type CommandName, type StreamName } from './frame.js';
import { ProcessExitedSchema, type ProcessExited } from './messages.js';

/** The proxy refused a command (its own words), as opposed to being unreachable. */
export class CcProxyError extends Error {}

const STREAM_NAMES = Object.fromEntries(Object.entries(Stream).map(([name, op]) => [op, name])) as Record<number, StreamName>;

export class CcClient {
  private readonly decoder = new CcFrameDecoder();
  private readonly pending: { resolve(body: unknown): void; reject(err: Error): void }[] = [];
  private readonly streamListeners = new Set<(stream: StreamName, data: Buffer) => void>();
  private readonly exitListeners = new Set<(event: ProcessExited) => void>();
  private readonly closeListeners = new Set<() => void>();
  private closed = false;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      for (const frame of this.decoder.push(chunk)) this.onFrame(frame);
      if (this.decoder.error) this.shutdown(this.decoder.error);
    });
    socket.on('close', () => this.shutdown(Object.assign(new Error('the ccProxy connection closed'), { code: 'ECONNRESET' })));
    socket.on('error', () => socket.destroy());
  }

  static connect(path: string): Promise<CcClient> {
    return new Promise((resolve, reject) => {
      const socket = connect(path);
      socket.once('connect', () => {
        socket.removeListener('error', reject);
        resolve(new CcClient(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Resolves with the response's JSON; a response with the Error flag rejects with CcProxyError. */
  command<T = unknown>(name: CommandName, payload: object = {}, timeoutMs = 60_000): Promise<T> {
    if (this.closed) return Promise.reject(Object.assign(new Error('the ccProxy connection closed'), { code: 'ECONNRESET' }));
    return new Promise<T>((resolve, reject) => {
      const timer = timeoutMs > 0 ? setTimeout(() => (this.socket.destroy(), reject(new CcProxyError(`no answer to ${name} within ${timeoutMs} ms`))), timeoutMs) : null;
      this.pending.push({
        resolve: (body) => (timer && clearTimeout(timer), resolve(body as T)),
        reject: (err) => (timer && clearTimeout(timer), reject(err)),
      });
      this.socket.write(encodeCcFrame({ type: 'command', opcode: Command[name], payload }));
    });
  }

  /** Stdin of the bound token; an empty chunk is its EOF. */
  writeStdin(data: Buffer): Promise<void> {
    return new Promise((resolve, reject) => this.socket.write(encodeCcFrame({ type: 'stream', opcode: Stream.stdin, payload: data }), (err) => (err ? reject(err) : resolve())));
  }

  onStream(listener: (stream: StreamName, data: Buffer) => void): void {
    this.streamListeners.add(listener);
  }
  onProcessExited(listener: (event: ProcessExited) => void): void {
    this.exitListeners.add(listener);
  }
  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.add(listener);
  }

  close(): void {
    this.socket.destroy();
  }

  private onFrame(frame: CcFrame): void {
    if (frame.type === 'response') {
      const waiter = this.pending.shift();
      if (frame.error) return waiter?.reject(new CcProxyError(frame.payload.toString('utf8')));
      let body: unknown = {};
      try {
        body = frame.payload.length ? JSON.parse(frame.payload.toString('utf8')) : {};
      } catch {
        return waiter?.reject(new CcProxyError('the ccProxy answered with malformed JSON'));
      }
      return waiter?.resolve(body);
    }
    if (frame.type === 'stream') {
      const name = STREAM_NAMES[frame.opcode];
      if (name === 'stdout' || name === 'stderr') for (const l of this.streamListeners) l(name, frame.payload);
      return;
    }
    if (frame.type === 'notification' && frame.opcode === Notification.ProcessExited) {
      try {
        const parsed = ProcessExitedSchema.safeParse(JSON.parse(frame.payload.toString('utf8')));
        if (parsed.success) for (const l of this.exitListeners) l(parsed.data);
      } catch {
        // a malformed notification is dropped
      }
    }
  }

  private shutdown(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    for (const waiter of this.pending.splice(0)) waiter.reject(err);
    for (const l of this.closeListeners) l();
  }
}
