// Message-level ends of a channel. FrameEndpoint turns bytes into validated messages;
// ServerEndpoint is the answering side (guest agent, or the proxy towards its clients): it adopts
// the session of the latest HELLO and drops every request tagged with another session.
import type { Channel } from './channel.js';
import { encodeFrame, FrameDecoder } from './frame.js';
import { MessageSchema, PROTOCOL_VERSION, ProtocolError, type ErrorBody, type Message, type Request } from './messages.js';

export type MessageListener = (message: Message, payload: Buffer) => void;

export class FrameEndpoint {
  private readonly decoder = new FrameDecoder();

  constructor(
    readonly channel: Channel,
    onMessage: MessageListener,
  ) {
    channel.onData((data) => {
      for (const frame of this.decoder.push(data)) {
        // A frame that is not a protocol message is dropped like any other garbage.
        const parsed = MessageSchema.safeParse(frame.header);
        if (parsed.success) onMessage(parsed.data, frame.payload);
      }
    });
    channel.onReset(() => this.decoder.reset());
  }

  send(message: Message, payload?: Buffer): Promise<void> {
    return this.channel.write(encodeFrame(message, payload));
  }
}

export interface ServerHandlers {
  onRequest(request: Request, payload: Buffer): void;
  /** A new host session began; the previous one (if any) is void. */
  onSession?(session: string | null): void;
}

function errorBody(err: unknown): ErrorBody {
  if (err instanceof ProtocolError) return { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

export class ServerEndpoint {
  private current: string | null = null;
  private readonly endpoint: FrameEndpoint;

  constructor(channel: Channel, private readonly handlers: ServerHandlers) {
    this.endpoint = new FrameEndpoint(channel, (message, payload) => this.receive(message, payload));
    channel.onReset(() => this.setSession(null));
    channel.onClose(() => this.setSession(null));
  }

  get session(): string | null {
    return this.current;
  }

  /** Answers a request; the answer is tagged with the request's session, so a stale one is dropped by the host. */
  async reply(request: Request, outcome: { body: unknown; payload?: Buffer } | { error: unknown }): Promise<void> {
    const message: Message =
      'error' in outcome
        ? { kind: 'res', session: request.session, id: request.id, ok: false, error: errorBody(outcome.error) }
        : { kind: 'res', session: request.session, id: request.id, ok: true, body: outcome.body ?? {} };
    if (request.session !== this.current) return;
    await this.endpoint.send(message, 'error' in outcome ? undefined : outcome.payload).catch(() => {});
  }

  /** Pushes an event to the current session; dropped while no host is connected. */
  async emit(event: string, body: unknown, payload?: Buffer): Promise<void> {
    if (!this.current) return;
    await this.endpoint.send({ kind: 'evt', session: this.current, event, body }, payload).catch(() => {});
  }

  private receive(message: Message, payload: Buffer): void {
    if (message.kind === 'hello') {
      if (message.session !== this.current) this.setSession(message.session);
      void this.endpoint.send({ kind: 'hello', session: message.session, protocolVersion: PROTOCOL_VERSION }).catch(() => {});
    } else if (message.kind === 'req' && message.session === this.current) {
      this.handlers.onRequest(message, payload);
    }
  }

  private setSession(session: string | null): void {
    if (session === this.current) return;
    this.current = session;
    this.handlers.onSession?.(session);
  }
}
