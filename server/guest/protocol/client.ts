// The calling side of the protocol (proxy towards the guest, engine and shims towards the proxy):
// a HELLO handshake with a fresh random session, repeated until answered, then requests matched
// to responses by id. Frames of any other session are stale and ignored.
import { randomBytes } from 'node:crypto';
import type { Channel } from './channel.js';
import { FrameEndpoint } from './endpoint.js';
import { PROTOCOL_VERSION, ProtocolError, type Event, type Message } from './messages.js';
import { OPS, type OpName, type OpRequest, type OpResponse } from './ops.js';

export interface CallOptions {
  payload?: Buffer;
  /** 0 waits forever (WaitProcess). */
  timeoutMs?: number;
}

export interface RawResult {
  body: unknown;
  payload: Buffer;
}

interface Pending {
  resolve(result: RawResult): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout | undefined;
}

export type EventListener = (event: Event, payload: Buffer) => void;

export class AgentClient {
  readonly session = randomBytes(12).toString('hex');
  private readonly endpoint: FrameEndpoint;
  private readonly pending = new Map<number, Pending>();
  private readonly eventListeners = new Set<EventListener>();
  private nextId = 1;
  private greeted: (() => void) | null = null;
  private closedError: Error | null = null;

  private constructor(channel: Channel) {
    this.endpoint = new FrameEndpoint(channel, (message, payload) => this.receive(message, payload));
    channel.onClose(() => this.failAll(new ProtocolError('DISCONNECTED', 'connection to the agent closed')));
  }

  /** Handshakes over `channel`; HELLO is resent every `helloIntervalMs` until the peer answers. */
  static async connect(channel: Channel, options: { timeoutMs?: number; helloIntervalMs?: number } = {}): Promise<AgentClient> {
    const client = new AgentClient(channel);
    const { timeoutMs = 10_000, helloIntervalMs = 1_000 } = options;
    const hello: Message = { kind: 'hello', session: client.session, protocolVersion: PROTOCOL_VERSION };
    let resend: NodeJS.Timeout | undefined;
    let timeout: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        client.greeted = resolve;
        channel.onClose(() => reject(new ProtocolError('DISCONNECTED', 'connection closed during the handshake')));
        timeout = setTimeout(() => reject(new ProtocolError('TIMEOUT', `agent did not answer the handshake within ${timeoutMs} ms`)), timeoutMs);
        const sendHello = () => void client.endpoint.send(hello).catch(reject);
        sendHello();
        resend = setInterval(sendHello, helloIntervalMs);
      });
    } catch (err) {
      channel.close();
      throw err;
    } finally {
      clearInterval(resend);
      clearTimeout(timeout);
    }
    return client;
  }

  /** Sends a request without validating it (the proxy forwards bodies it does not interpret). */
  request(op: string, body: unknown, options: CallOptions = {}): Promise<RawResult> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    const { timeoutMs = 30_000 } = options;
    return new Promise<RawResult>((resolve, reject) => {
      const timer = timeoutMs
        ? setTimeout(() => {
            this.pending.delete(id);
            reject(new ProtocolError('TIMEOUT', `${op} got no answer within ${timeoutMs} ms`));
          }, timeoutMs)
        : undefined;
      this.pending.set(id, { resolve, reject, timer });
      this.endpoint.send({ kind: 'req', session: this.session, id, op, body }, options.payload).catch((err: Error) => {
        this.settle(id)?.reject(err);
      });
    });
  }

  /** Typed call: the request gets its defaults from the shared schema and the response is validated. */
  async call<K extends OpName>(op: K, body: OpRequest<K>, options: CallOptions = {}): Promise<{ body: OpResponse<K>; payload: Buffer }> {
    const request = OPS[op].request.parse(body);
    const result = await this.request(op, request, options);
    const parsed = OPS[op].response.safeParse(result.body);
    if (!parsed.success) throw new ProtocolError('BAD_RESPONSE', `${op}: malformed response: ${parsed.error.message}`);
    return { body: parsed.data as OpResponse<K>, payload: result.payload };
  }

  onEvent(listener: EventListener): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onClose(listener: () => void): void {
    this.endpoint.channel.onClose(listener);
  }

  close(): void {
    this.endpoint.channel.close();
  }

  private receive(message: Message, payload: Buffer): void {
    if (message.session !== this.session) return;
    if (message.kind === 'hello') {
      this.greeted?.();
      this.greeted = null;
    } else if (message.kind === 'res') {
      const pending = this.settle(message.id);
      if (!pending) return;
      if (message.ok) pending.resolve({ body: message.body, payload });
      else pending.reject(new ProtocolError(message.error.code, message.error.message));
    } else if (message.kind === 'evt') {
      for (const listener of this.eventListeners) listener(message, payload);
    }
  }

  private settle(id: number): Pending | undefined {
    const pending = this.pending.get(id);
    if (!pending) return undefined;
    this.pending.delete(id);
    clearTimeout(pending.timer);
    return pending;
  }

  private failAll(err: Error): void {
    this.closedError = err;
    for (const id of [...this.pending.keys()]) this.settle(id)?.reject(err);
  }
}
