// Minimal QMP client: one short-lived connection per operation (QEMU serves one QMP client at a
// time, so holding the socket would block every other caller). Negotiates capabilities, runs commands.
import { connect, type Socket } from 'node:net';

export class QmpError extends Error {
  override readonly name = 'QmpError';
}

type Reply = { return?: unknown; error?: { class: string; desc: string }; id?: number };

export class QmpConnection {
  private buffered = '';
  private nextId = 1;
  private waiters = new Map<number, (reply: Reply) => void>();
  private greeting: ((ok: boolean) => void) | null = null;
  private closedError: Error | null = null;
  /** Asynchronous QMP events (VSERPORT_CHANGE, …), for the one caller that waits for them (template.ts). */
  onEvent: ((event: { event: string; data?: Record<string, unknown> }) => void) | null = null;

  private constructor(private readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => this.onData(chunk));
    socket.on('error', (err) => this.onClose(err));
    socket.on('close', () => this.onClose(new QmpError('QMP connection closed')));
  }

  /** Connects, reads the greeting and leaves capabilities negotiation mode. */
  static async open(path: string, timeoutMs: number): Promise<QmpConnection> {
    const socket = connect(path);
    const qmp = new QmpConnection(socket);
    const timer = setTimeout(() => socket.destroy(new QmpError(`QMP at ${path} did not answer in ${timeoutMs} ms`)), timeoutMs);
    try {
      await new Promise<void>((resolve, reject) => {
        qmp.greeting = (ok) => (ok ? resolve() : reject(qmp.closedError));
      });
      await qmp.execute('qmp_capabilities');
      return qmp;
    } catch (err) {
      socket.destroy();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  execute(command: string, args?: Record<string, unknown>): Promise<unknown> {
    if (this.closedError) return Promise.reject(this.closedError);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.waiters.set(id, (reply) => {
        if (reply.error) reject(new QmpError(`QMP ${command}: ${reply.error.class}: ${reply.error.desc}`));
        else if ('return' in reply) resolve(reply.return);
        else reject(this.closedError ?? new QmpError(`QMP ${command}: no reply`));
      });
      this.socket.write(JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}), id }) + '\n');
    });
  }

  close(reason?: Error): void {
    this.socket.destroy(reason);
  }

  private onData(chunk: string): void {
    this.buffered += chunk;
    let newline: number;
    while ((newline = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, newline).trim();
      this.buffered = this.buffered.slice(newline + 1);
      if (!line) continue;
      const message = JSON.parse(line) as Reply & { QMP?: unknown; event?: string };
      if (message.QMP && this.greeting) {
        this.greeting(true);
        this.greeting = null;
      } else if (typeof message.id === 'number') {
        this.waiters.get(message.id)?.(message);
        this.waiters.delete(message.id);
      } else if (typeof message.event === 'string') {
        this.onEvent?.({ event: message.event, data: (message as { data?: Record<string, unknown> }).data });
      }
    }
  }

  private onClose(err: Error): void {
    this.closedError ??= err;
    this.greeting?.(false);
    this.greeting = null;
    for (const waiter of this.waiters.values()) waiter({});
    this.waiters.clear();
  }
}

/**
 * QEMU serves one QMP client at a time and keeps a tiny backlog: while another caller (the console
 * polling status, the CLI) holds the socket, connecting fails with EAGAIN. Wait for it instead.
 */
export async function openWhenFree(path: string, timeoutMs: number): Promise<QmpConnection> {
  const deadline = Date.now() + timeoutMs;
  for (let delay = 10; ; delay = Math.min(delay * 2, 200)) {
    try {
      return await QmpConnection.open(path, Math.max(deadline - Date.now(), 1));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || Date.now() + delay > deadline) throw err;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}

/** Runs one command on a fresh connection. */
export async function qmpCommand(path: string, command: string, timeoutMs = 5_000): Promise<unknown> {
  const qmp = await openWhenFree(path, timeoutMs);
  const timer = setTimeout(() => qmp.close(new QmpError(`QMP ${command} got no reply in ${timeoutMs} ms`)), timeoutMs);
  try {
    return await qmp.execute(command);
  } finally {
    clearTimeout(timer);
    qmp.close();
  }
}

/** `quit` may close the socket before its reply arrives; either outcome means QEMU is exiting. */
export async function qmpQuit(path: string, timeoutMs = 2_000): Promise<void> {
  try {
    await qmpCommand(path, 'quit', timeoutMs);
  } catch (err) {
    if (!(err instanceof QmpError && /closed/.test(err.message))) throw err;
  }
}
