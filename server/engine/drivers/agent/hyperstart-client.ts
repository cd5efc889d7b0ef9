// The host end of the hyperstart protocol over the guest's two ports (as unix sockets): commands
// answered one at a time by ACK or ERROR, READY awaited first, NEXT ignored (flow control the host
// has no use for), PROCESSASYNCEVENT and stream frames handed to listeners by seq.
import type { Socket } from 'node:net';
import { connectUnix } from '../../../guest/protocol/connect.js';
import { HYPERSTART_CODES } from '../../../guest/protocol/hyperstart/codes.js';
import { ControlDecoder, encodeControl, encodeStreamData, encodeStreamEnd, StreamDecoder, StreamEvents, type ControlFrame, type StreamEvent } from '../../../guest/protocol/hyperstart/frames.js';
import { ProcessAsyncEventSchema, type ProcessAsyncEvent } from '../../../guest/protocol/hyperstart/payloads.js';

export class HyperstartError extends Error {}

export class HyperstartClient {
  private readonly controlDecoder = new ControlDecoder();
  private readonly streamDecoder = new StreamDecoder();
  private readonly events = new StreamEvents();
  private pending: { resolve(payload: Buffer): void; reject(err: Error): void } | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private readyResolve: (() => void) | null = null;
  readonly ready: Promise<void>;
  private readonly streamListeners = new Set<(event: StreamEvent) => void>();
  private readonly exitListeners = new Set<(event: ProcessAsyncEvent) => void>();
  private readonly closeListeners = new Set<() => void>();
  private closed = false;

  private constructor(
    private readonly control: Socket,
    private readonly streams: Socket,
  ) {
    this.ready = new Promise((resolve) => (this.readyResolve = resolve));
    control.on('data', (data: Buffer) => {
      for (const frame of this.controlDecoder.push(data)) this.onControl(frame);
      if (this.controlDecoder.error) this.fail(this.controlDecoder.error);
    });
    streams.on('data', (data: Buffer) => {
      for (const frame of this.streamDecoder.push(data)) {
        const event = this.events.next(frame);
        for (const listener of this.streamListeners) listener(event);
      }
      if (this.streamDecoder.error) this.fail(this.streamDecoder.error);
    });
    const closed = () => {
      this.fail(new HyperstartError('the hyperstart channel closed'));
      if (this.closed) return;
      this.closed = true;
      control.destroy();
      streams.destroy();
      for (const listener of this.closeListeners) listener();
    };
    control.on('close', closed).on('error', () => control.destroy());
    streams.on('close', closed).on('error', () => streams.destroy());
  }

  static async connect(controlPath: string, streamPath: string): Promise<HyperstartClient> {
    const control = await connectUnix(controlPath);
    const streams = await connectUnix(streamPath).catch((err: unknown) => (control.destroy(), Promise.reject(err)));
    return new HyperstartClient(control, streams);
  }

  /** Sends one command and resolves with the ACK's payload; ERROR rejects with its message. */
  command(code: number, payload: object | null = null, timeoutMs = 30_000): Promise<Buffer> {
    const run = this.queue.then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          const timer = setTimeout(() => ((this.pending = null), reject(new HyperstartError(`no answer to code ${code} within ${timeoutMs} ms`))), timeoutMs);
          this.pending = {
            resolve: (p) => (clearTimeout(timer), resolve(p)),
            reject: (e) => (clearTimeout(timer), reject(e)),
          };
          this.control.write(encodeControl(code, payload));
        }),
    );
    this.queue = run.catch(() => {});
    return run;
  }

  writeStdin(seq: bigint, data: Buffer): void {
    if (data.length) this.streams.write(encodeStreamData(seq, data));
  }

  closeStdin(seq: bigint): void {
    this.streams.write(encodeStreamEnd(seq));
  }

  onStream(listener: (event: StreamEvent) => void): () => void {
    this.streamListeners.add(listener);
    return () => this.streamListeners.delete(listener);
  }

  onProcessExit(listener: (event: ProcessAsyncEvent) => void): () => void {
    this.exitListeners.add(listener);
    return () => this.exitListeners.delete(listener);
  }

  /** Either channel went away (the VM is gone, or close() was called). */
  onClose(listener: () => void): void {
    if (this.closed) listener();
    else this.closeListeners.add(listener);
  }

  close(): void {
    this.control.destroy();
    this.streams.destroy();
  }

  private onControl({ code, payload }: ControlFrame): void {
    if (code === HYPERSTART_CODES.READY) return void this.readyResolve?.();
    if (code === HYPERSTART_CODES.NEXT) return; // flow control: ignored, as virtcontainers does
    if (code === HYPERSTART_CODES.PROCESSASYNCEVENT) {
      let body: unknown = null;
      try {
        body = JSON.parse(payload.toString('utf8'));
      } catch {
        return; // a malformed event is dropped, never a crash
      }
      const parsed = ProcessAsyncEventSchema.safeParse(body);
      if (parsed.success) for (const listener of this.exitListeners) listener(parsed.data);
      return;
    }
    const pending = this.pending;
    this.pending = null;
    if (code === HYPERSTART_CODES.ACK) pending?.resolve(payload);
    else if (code === HYPERSTART_CODES.ERROR) pending?.reject(new HyperstartError(payload.toString('utf8')));
  }

  private fail(err: Error): void {
    this.pending?.reject(err);
    this.pending = null;
  }
}
