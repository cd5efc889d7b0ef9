// The ccProxy: ONE host process for every hyperstart pod of a run root, as cc-proxy. Clients (the
// engine's hyperstart driver, ccShims, attached terminals) connect to one socket and speak the
// cc-proxy framing. RegisterVM makes the proxy hold that VM's two hyperstart channels; AttachVM
// hands out I/O tokens; Hyper sends a hyperstart command to a VM (giving a token's process its
// stdio seqs); ConnectShim binds a connection to a token's I/O (stdin in, stdout/stderr out,
// ProcessExited); Signal turns into KILLCONTAINER or, for SIGWINCH, WINSIZE.
// What it holds is written to a state file after every change, so a proxy killed while pods run
// is restarted (by the next engine call) with every VM and token it had: nothing is lost but
// output that was in flight.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { constants } from 'node:os';
import type { z } from 'zod';
import { CcFrameDecoder, Command, encodeCcFrame, Notification, Stream, type CcFrame } from '../../engine/drivers/proxy/cc/frame.js';
import { AttachVMSchema, ConnectShimSchema, HyperSchema, RegisterVMSchema, SignalSchema, UnregisterVMSchema } from '../../engine/drivers/proxy/cc/messages.js';
import { canConnect } from '../../engine/drivers/proxy/types.js';
import { VmLink, type VmRecord } from './vm-link.js';

const COMMAND_NAMES = Object.fromEntries(Object.entries(Command).map(([name, op]) => [op, name])) as Record<number, keyof typeof Command>;
const SIGWINCH = constants.signals.SIGWINCH;

export interface CcProxyOptions {
  listenPath: string;
  statePath: string;
  log(message: string): void;
}

const parse = <S extends z.ZodTypeAny>(schema: S, body: unknown): z.output<S> => {
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new Error(`invalid payload: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return parsed.data;
};

const newToken = () => randomBytes(12).toString('hex');

export class CcProxyServer {
  private readonly vms = new Map<string, VmLink>();
  private server: Server | null = null;
  /** Set by stop(): the channels closing then is ours, and the state file must keep naming the VMs. */
  private stopping = false;

  constructor(private readonly options: CcProxyOptions) {}

  async listen(): Promise<void> {
    await this.restore();
    await removeStaleSocket(this.options.listenPath);
    this.server = createServer((socket) => this.serve(socket));
    await new Promise<void>((resolve, reject) => this.server!.once('error', reject).listen(this.options.listenPath, () => resolve()));
  }

  stop(): Promise<void> {
    this.stopping = true;
    for (const link of this.vms.values()) link.close();
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Reconnects to every VM the state file names; a VM whose sockets are gone is dropped. */
  private async restore(): Promise<void> {
    if (!existsSync(this.options.statePath)) return;
    let records: VmRecord[] = [];
    try {
      records = JSON.parse(readFileSync(this.options.statePath, 'utf8')) as VmRecord[];
    } catch (err) {
      this.options.log(`state file unreadable, starting empty: ${String(err)}`);
    }
    for (const r of records) {
      try {
        this.adopt(await VmLink.open(r, 0, r.nextSeq, r.tokens));
        this.options.log(`restored VM ${r.containerId} with ${r.tokens.length} tokens`);
      } catch (err) {
        this.options.log(`VM ${r.containerId} not restored: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    this.save();
  }

  private adopt(link: VmLink): void {
    const id = link.record.containerId;
    this.vms.set(id, link);
    // The VM went away (QEMU exited): forget it, so the state file never names a dead VM.
    link.onClose(() => {
      if (this.stopping || this.vms.get(id) !== link) return;
      this.vms.delete(id);
      this.options.log(`VM ${id}: channels closed`);
      this.save();
    });
  }

  private save(): void {
    const tmp = `${this.options.statePath}.tmp`;
    writeFileSync(tmp, JSON.stringify([...this.vms.values()].map((l) => l.state)));
    renameSync(tmp, this.options.statePath);
  }

  private vm(containerId: string): VmLink {
    const link = this.vms.get(containerId);
    if (!link) throw new Error(`VM ${containerId} is not registered with this proxy`);
    return link;
  }

  private serve(socket: Socket): void {
    const decoder = new CcFrameDecoder();
    const send = (frame: Parameters<typeof encodeCcFrame>[0]) => {
      if (!socket.destroyed) socket.write(encodeCcFrame(frame));
    };
    /** The token this connection is bound to by ConnectShim, and how to unbind it. */
    let bound: { link: VmLink; token: string; unbind(): void } | null = null;
    const unbind = () => {
      bound?.unbind();
      bound = null;
    };
    // Commands of one connection are answered in order.
    let queue = Promise.resolve();
    const handle = async (frame: CcFrame) => {
      const name = COMMAND_NAMES[frame.opcode];
      try {
        if (!name) throw new Error(`unknown command ${frame.opcode}`);
        const body: unknown = frame.payload.length ? JSON.parse(frame.payload.toString('utf8')) : {};
        send({ type: 'response', opcode: frame.opcode, payload: await this.command(name, body, () => bound, (b) => {
          unbind();
          bound = b;
        }, send) });
      } catch (err) {
        send({ type: 'response', opcode: frame.opcode, error: true, payload: Buffer.from(err instanceof Error ? err.message : String(err)) });
      }
    };
    socket.on('data', (chunk: Buffer) => {
      for (const frame of decoder.push(chunk)) {
        if (frame.type === 'command') queue = queue.then(() => handle(frame));
        else if (frame.type === 'stream' && frame.opcode === Stream.stdin && bound) {
          try {
            bound.link.writeStdin(bound.token, frame.payload);
          } catch {
            // the token is gone (its VM unregistered): nothing to write to
          }
        }
      }
      if (decoder.error) socket.destroy();
    });
    socket.on('close', unbind).on('error', () => socket.destroy());
  }

  private async command(
    name: keyof typeof Command,
    body: unknown,
    bound: () => { link: VmLink; token: string } | null,
    bind: (b: { link: VmLink; token: string; unbind(): void } | null) => void,
    send: (frame: Parameters<typeof encodeCcFrame>[0]) => void,
  ): Promise<object> {
    switch (name) {
      case 'RegisterVM': {
        const r = parse(RegisterVMSchema, body);
        const existing = this.vms.get(r.containerId);
        if (existing) {
          if (existing.record.ctlSerial !== r.ctlSerial) throw new Error(`VM ${r.containerId} is already registered with other channels`);
        } else {
          this.adopt(await VmLink.open({ containerId: r.containerId, ctlSerial: r.ctlSerial, ioSerial: r.ioSerial }, r.readyTimeoutMs));
          this.options.log(`registered VM ${r.containerId}`);
        }
        const tokens = this.allocate(this.vm(r.containerId), r.numIOStreams);
        return { io: { URL: `unix://${this.options.listenPath}`, tokens } };
      }
      case 'UnregisterVM': {
        const { containerId } = parse(UnregisterVMSchema, body);
        const link = this.vms.get(containerId);
        this.vms.delete(containerId);
        link?.close();
        this.save();
        this.options.log(`unregistered VM ${containerId}`);
        return {};
      }
      case 'AttachVM': {
        const { containerId, numIOStreams } = parse(AttachVMSchema, body);
        return { tokens: this.allocate(this.vm(containerId), numIOStreams) };
      }
      case 'Hyper': {
        const { containerId, hyperName, tokens, data } = parse(HyperSchema, body);
        const link = this.vm(containerId);
        const answer = await link.hyper(hyperName, data, tokens[0]);
        if (tokens.length) this.save(); // the token now names its process
        return { data: answer };
      }
      case 'ConnectShim': {
        const { token } = parse(ConnectShimSchema, body);
        const link = [...this.vms.values()].find((l) => l.has(token));
        if (!link) throw new Error(`unknown token ${token}`);
        let exitCode: number | null = null;
        const unbind = link.bind(token, {
          output: (stream, data) => send({ type: 'stream', opcode: Stream[stream], payload: data }),
          exited: (code) => {
            exitCode = code;
            send({ type: 'notification', opcode: Notification.ProcessExited, payload: { token, exitCode: code } });
          },
        });
        bind({ link, token, unbind });
        return { exitCode };
      }
      case 'DisconnectShim':
        bind(null);
        return {};
      case 'Signal': {
        const b = bound();
        if (!b?.token) throw new Error('Signal needs a connection bound to a token (ConnectShim)');
        const { signalNumber, columns, rows } = parse(SignalSchema, body);
        const t = b.link.token(b.token);
        if (signalNumber === SIGWINCH) {
          if (rows && columns) await b.link.hyper('winsize', { container: t.container, process: t.process, row: rows, column: columns }, undefined);
          return {};
        }
        // hyperstart (the table virtcontainers uses) can signal a container's init or all of its processes, not one exec.
        if (t.process !== t.container) throw new Error(`hyperstart cannot signal exec process ${t.process} alone (only its container's init, or all processes)`);
        await b.link.hyper('killcontainer', { container: t.container, signal: signalNumber, allProcesses: false }, undefined);
        return {};
      }
    }
  }

  private allocate(link: VmLink, count: number): string[] {
    const tokens = Array.from({ length: count }, newToken);
    for (const token of tokens) link.allocate(token);
    if (count) this.save();
    return tokens;
  }
}

/** A socket file nobody listens on (the proxy was killed) is removed; a live one means another proxy serves. */
async function removeStaleSocket(path: string): Promise<void> {
  if (!existsSync(path)) return;
  if (await canConnect(path)) throw new Error(`another ccProxy already listens on ${path}`);
  rmSync(path, { force: true });
}
