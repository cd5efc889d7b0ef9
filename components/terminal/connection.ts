// One viewer's connection to a terminal session, independent of React and of xterm: state
// machine, keepalive, automatic reconnect with fresh tickets, output acks and chunked input.
import { ACK_EVERY, chunkInput, parseFrame, ServerFrameSchema, socketProtocols, type ClientFrame } from '../../server/terminal/protocol';

export type ConnectionState =
  | { kind: 'connecting' }
  | { kind: 'connected'; readOnly: boolean }
  | { kind: 'reconnecting'; attempt: number }
  | { kind: 'exited'; code: number }
  | { kind: 'ended'; reason: string };

export interface ConnectionOptions {
  /** A fresh single-use ticket for each connection attempt; rejects once the session is gone. */
  ticket(): Promise<string>;
  /** The terminal WebSocket's URL; the ticket goes in the subprotocol offer, not here. */
  url: string;
  onState(state: ConnectionState): void;
  /** The screen as the server has it: reset the terminal and write this. */
  onSnapshot(data: string): void;
  /** Writes output; `written` must be called once it is on screen (that is what gets acked). */
  onOutput(data: string, stream: 'stdout' | 'stderr' | undefined, written: () => void): void;
  WebSocketImpl?: typeof WebSocket;
}

const RECONNECT_DELAYS_MS = [500, 1000, 2000, 4000, 8000];
const PING_EVERY_MS = 15_000;
const SILENCE_LIMIT_MS = 40_000;
/** Input waits while this much is still queued in the socket, so a paste cannot swamp it. */
const MAX_QUEUED_INPUT_BYTES = 64 * 1024;

export class TerminalConnection {
  private ws: WebSocket | null = null;
  private state: ConnectionState = { kind: 'connecting' };
  private attempt = 0;
  private unacked = 0;
  private lastHeard = Date.now();
  private keepalive: ReturnType<typeof setInterval> | undefined;
  private readonly input: string[] = [];
  private size: { rows: number; cols: number } | null = null;

  constructor(private readonly options: ConnectionOptions) {}

  get current(): ConnectionState {
    return this.state;
  }

  async connect(): Promise<void> {
    let ticket: string;
    try {
      ticket = await this.options.ticket();
    } catch (err) {
      return this.setState({ kind: 'ended', reason: err instanceof Error ? err.message : String(err) });
    }
    const Impl = this.options.WebSocketImpl ?? WebSocket;
    const ws = new Impl(this.options.url, socketProtocols(ticket));
    this.ws = ws;
    ws.onmessage = (event) => this.receive(String(event.data));
    ws.onclose = () => this.closed(ws);
    clearInterval(this.keepalive);
    this.keepalive = setInterval(() => this.ping(), PING_EVERY_MS);
  }

  /** Types or pastes `data`: sent in chunks, in order, pacing on the socket's buffer. */
  sendInput(data: string) {
    this.input.push(...chunkInput(data));
    this.pump();
  }

  /** Bytes as xterm reports them (mouse events): short, so sent as they are. */
  sendBinary(data: string) {
    if (this.state.kind === 'connected') this.send({ t: 'input', data, binary: true });
  }

  resize(rows: number, cols: number) {
    this.size = { rows, cols };
    this.send({ t: 'resize', rows, cols });
  }

  close() {
    clearInterval(this.keepalive);
    this.setState({ kind: 'ended', reason: 'closed' });
    this.ws?.close();
  }

  private receive(text: string) {
    this.lastHeard = Date.now();
    const frame = parseFrame(ServerFrameSchema, text);
    if (!frame) return;
    switch (frame.t) {
      case 'hello':
        this.attempt = 0;
        this.unacked = 0;
        this.setState({ kind: 'connected', readOnly: frame.readOnly });
        if (this.size && !frame.readOnly) this.send({ t: 'resize', ...this.size });
        return this.pump();
      case 'snapshot':
        return this.options.onSnapshot(frame.data);
      case 'output':
        return this.options.onOutput(frame.data, frame.stream, () => this.written(frame.data.length));
      case 'exit':
        return this.setState({ kind: 'exited', code: frame.code });
      case 'error':
        if (frame.fatal) this.setState({ kind: 'ended', reason: frame.reason });
        return;
      case 'ping':
        return this.send({ t: 'pong' });
      case 'pong':
        return;
    }
  }

  private written(n: number) {
    this.unacked += n;
    if (this.unacked < ACK_EVERY) return;
    this.send({ t: 'ack', n: this.unacked });
    this.unacked = 0;
  }

  private pump() {
    const ws = this.ws;
    if (!ws || ws.readyState !== ws.OPEN || this.state.kind !== 'connected') return;
    while (this.input.length > 0 && ws.bufferedAmount <= MAX_QUEUED_INPUT_BYTES) this.send({ t: 'input', data: this.input.shift()! });
    if (this.input.length > 0) setTimeout(() => this.pump(), 10);
  }

  private ping() {
    if (Date.now() - this.lastHeard > SILENCE_LIMIT_MS) this.ws?.close();
    else this.send({ t: 'ping' });
  }

  private send(frame: ClientFrame) {
    if (this.ws && this.ws.readyState === this.ws.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private closed(ws: WebSocket) {
    if (ws !== this.ws) return;
    this.ws = null;
    clearInterval(this.keepalive);
    if (this.state.kind === 'exited' || this.state.kind === 'ended') return;
    const delay = RECONNECT_DELAYS_MS[this.attempt];
    if (delay === undefined) return this.setState({ kind: 'ended', reason: 'the connection was lost' });
    this.attempt += 1;
    this.setState({ kind: 'reconnecting', attempt: this.attempt });
    setTimeout(() => void this.connect(), delay);
  }

  private setState(state: ConnectionState) {
    this.state = state;
    this.options.onState(state);
  }
}
