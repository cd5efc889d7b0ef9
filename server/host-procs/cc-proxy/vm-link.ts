// One VM as the ccProxy holds it: the two hyperstart channels (control and streams), held for the
// VM's whole life because hyperstart pushes every process's output and exit on them, and the I/O
// tokens handed out for it. Each token owns a stdout/stderr seq pair; what the guest sends on them
// goes to every connection bound to the token, and is kept (bounded) for whoever binds later,
// since the engine attaches to a detached process after it started.
import { HyperstartClient } from '../../engine/drivers/agent/hyperstart-client.js';
import { commandCode } from '../../guest/protocol/hyperstart/codes.js';
import { withStdioSeqs } from '../../guest/protocol/hyperstart/payloads.js';
import type { StreamEvent } from '../../guest/protocol/hyperstart/frames.js';

/** Output kept per token for late attachers; older output is dropped first. */
const BACKLOG_BYTES = 1024 * 1024;

export interface TokenRecord {
  token: string;
  /** stdout seq; stderr is seq + 1. */
  seq: number;
  container: string;
  process: string;
}

export interface TokenSink {
  output(stream: 'stdout' | 'stderr', data: Buffer): void;
  exited(exitCode: number): void;
}

interface LiveToken extends TokenRecord {
  sinks: Set<TokenSink>;
  backlog: { stream: 'stdout' | 'stderr'; data: Buffer }[];
  backlogBytes: number;
  exitCode: number | null;
}

export interface VmRecord {
  containerId: string;
  ctlSerial: string;
  ioSerial: string;
  nextSeq: number;
  tokens: TokenRecord[];
}

export class VmLink {
  private readonly tokens = new Map<string, LiveToken>();
  private readonly bySeq = new Map<number, LiveToken>();
  private nextSeq: number;

  private constructor(
    private readonly client: HyperstartClient,
    readonly record: Omit<VmRecord, 'tokens' | 'nextSeq'>,
    nextSeq: number,
  ) {
    this.nextSeq = nextSeq;
    client.onStream((event) => this.onStream(event));
  }

  /** `waitReadyMs` 0: a VM restored after a proxy restart, whose READY came long ago. */
  static async open(record: Omit<VmRecord, 'tokens' | 'nextSeq'>, waitReadyMs: number, nextSeq = 1, tokens: TokenRecord[] = []): Promise<VmLink> {
    const client = await HyperstartClient.connect(record.ctlSerial, record.ioSerial);
    const link = new VmLink(client, record, nextSeq);
    for (const t of tokens) link.adopt(t);
    if (waitReadyMs > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no READY from the guest within ${waitReadyMs} ms`)), waitReadyMs)));
      try {
        await Promise.race([client.ready, timeout]);
      } catch (err) {
        client.close();
        throw err;
      } finally {
        clearTimeout(timer);
      }
    }
    return link;
  }

  get state(): VmRecord {
    return { ...this.record, nextSeq: this.nextSeq, tokens: [...this.tokens.values()].map(({ token, seq, container, process }) => ({ token, seq, container, process })) };
  }

  allocate(token: string): void {
    this.adopt({ token, seq: this.nextSeq, container: '', process: '' });
    this.nextSeq += 2;
  }

  has(token: string): boolean {
    return this.tokens.has(token);
  }

  token(token: string): LiveToken {
    const t = this.tokens.get(token);
    if (!t) throw new Error(`unknown token ${token}`);
    return t;
  }

  /** Sends a hyperstart command; for NEWCONTAINER/EXECCMD, `token` gets the process's stdio seqs. */
  async hyper(name: string, data: Record<string, unknown> | null, token: string | undefined): Promise<string> {
    const code = commandCode(name);
    let payload = data;
    if (token && data && typeof data['process'] === 'object' && data['process']) {
      const t = this.token(token);
      const process = data['process'] as Record<string, unknown>;
      t.container = String(data['id'] ?? data['container'] ?? '');
      t.process = String(process['id'] ?? t.container);
      payload = withStdioSeqs(data, t.seq);
    }
    const answer = await this.client.command(code, payload, 120_000);
    return answer.toString('utf8');
  }

  writeStdin(token: string, data: Buffer): void {
    const { seq } = this.token(token);
    if (data.length) this.client.writeStdin(BigInt(seq), data);
    else this.client.closeStdin(BigInt(seq));
  }

  bind(token: string, sink: TokenSink): () => void {
    const t = this.token(token);
    for (const { stream, data } of t.backlog) sink.output(stream, data);
    if (t.exitCode !== null) sink.exited(t.exitCode);
    t.sinks.add(sink);
    return () => t.sinks.delete(sink);
  }

  onClose(listener: () => void): void {
    this.client.onClose(listener);
  }

  close(): void {
    this.client.close();
  }

  private adopt(record: TokenRecord): void {
    const t: LiveToken = { ...record, sinks: new Set(), backlog: [], backlogBytes: 0, exitCode: null };
    this.tokens.set(t.token, t);
    this.bySeq.set(t.seq, t);
    this.bySeq.set(t.seq + 1, t);
  }

  private onStream(event: StreamEvent): void {
    const seq = Number(event.seq);
    const t = this.bySeq.get(seq);
    if (!t) return;
    if (event.kind === 'data') {
      const stream = seq === t.seq ? 'stdout' : 'stderr';
      t.backlog.push({ stream, data: event.data });
      t.backlogBytes += event.data.length;
      while (t.backlogBytes > BACKLOG_BYTES && t.backlog.length > 1) t.backlogBytes -= t.backlog.shift()!.data.length;
      for (const sink of t.sinks) sink.output(stream, event.data);
    } else if (event.kind === 'exit' && seq === t.seq) {
      t.exitCode = event.exitCode;
      for (const sink of t.sinks) sink.exited(event.exitCode);
    }
  }
}
