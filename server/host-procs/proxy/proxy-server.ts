// kataProxy: the pod's one owner of the agent connection. It handshakes with the guest once and
// serves any number of host clients on a unix socket, forwarding their requests (ids are
// rewritten by the upstream client), fanning out output/exit events to the attached clients, and
// answering StartShim itself (the lean per-process shims are its children).
import { rm } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { SocketChannel } from '../../guest/protocol/channel.js';
import { AgentClient } from '../../guest/protocol/client.js';
import { ServerEndpoint } from '../../guest/protocol/endpoint.js';
import type { Request } from '../../guest/protocol/messages.js';
import { PROXY_OPS, processKey } from '../../guest/protocol/ops.js';
import { ProcessShims } from './process-shims.js';

export interface ProxyOptions {
  agentSocket: string;
  listenPath: string;
  /** How long to wait for the guest agent to answer the first handshake (the VM may still boot). */
  handshakeTimeoutMs: number;
  log(message: string): void;
}

/**
 * How long the agent's socket may take to appear. The engine starts the proxy while the VM launches
 * (Agent.prelaunch), and a pod's first launch may build its template first (10-20 s under TCG); a
 * proxy whose VM never comes is stopped by the boot's rollback, or by doctor.
 */
const AGENT_SOCKET_WAIT_MS = 120_000;

async function connectWithRetry(path: string, timeoutMs: number): Promise<Socket> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const socket = connect(path);
      await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
      return socket;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(100);
    }
  }
}

function processKeyOf(body: unknown): string | null {
  const b = body as { containerId?: unknown; execId?: unknown } | null;
  return b && typeof b.containerId === 'string' && typeof b.execId === 'string' ? processKey(b.containerId, b.execId) : null;
}

export class ProxyServer {
  /** Which client endpoints are attached to which process. */
  private readonly subscribers = new Map<string, Set<ServerEndpoint>>();
  private readonly clients = new Set<Socket>();
  private readonly upstream: Promise<AgentClient>;
  private readonly shims: ProcessShims;
  private server: Server | null = null;
  private readonly onClosed: () => void;
  /** Resolves when the agent connection is gone for good (the VM died or stop() was called). */
  readonly closed: Promise<void>;

  constructor(private readonly options: ProxyOptions) {
    let resolveClosed = () => {};
    this.closed = new Promise<void>((resolve) => (resolveClosed = resolve));
    this.onClosed = resolveClosed;
    this.upstream = this.connectUpstream();
    this.upstream.catch(() => {});
    this.shims = new ProcessShims(this.upstream, options.log);
  }

  async listen(): Promise<void> {
    await rm(this.options.listenPath, { force: true });
    const server = createServer((socket) => this.serveClient(socket));
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(this.options.listenPath, resolve));
    this.server = server;
  }

  stop(): void {
    this.server?.close();
    for (const socket of this.clients) socket.destroy();
    this.upstream.then((client) => client.close(), () => {});
    this.onClosed();
  }

  private async connectUpstream(): Promise<AgentClient> {
    const { agentSocket, handshakeTimeoutMs, log } = this.options;
    try {
      const socket = await connectWithRetry(agentSocket, AGENT_SOCKET_WAIT_MS);
      const client = await AgentClient.connect(new SocketChannel(socket), { timeoutMs: handshakeTimeoutMs });
      log(`agent handshake done (session ${client.session})`);
      client.onEvent((event, payload) => {
        const key = processKeyOf(event.body);
        for (const endpoint of (key && this.subscribers.get(key)) || []) void endpoint.emit(event.event, event.body, payload);
      });
      client.onClose(() => {
        log('agent connection closed');
        this.stop();
      });
      return client;
    } catch (err) {
      log(`cannot reach the agent: ${err instanceof Error ? err.message : String(err)}`);
      this.stop();
      throw err;
    }
  }

  private serveClient(socket: Socket): void {
    this.clients.add(socket);
    const attached = new Set<string>();
    const endpoint: ServerEndpoint = new ServerEndpoint(new SocketChannel(socket), {
      onRequest: (request, payload) => void this.forward(endpoint, attached, request, payload),
    });
    socket.on('close', () => {
      this.clients.delete(socket);
      for (const key of attached) if (!this.detach(endpoint, key)) this.detachGuest(key);
    });
  }

  private async forward(endpoint: ServerEndpoint, attached: Set<string>, request: Request, payload: Buffer): Promise<void> {
    if (request.op === 'StartShim') return this.startShim(endpoint, request);
    const key = processKeyOf(request.body);
    if (key && request.op === 'Attach') {
      attached.add(key);
      this.subscribersOf(key).add(endpoint);
    }
    if (key && request.op === 'Detach') {
      attached.delete(key);
      if (this.detach(endpoint, key)) return endpoint.reply(request, { body: {} });
    }
    try {
      const upstream = await this.upstream;
      const result = await upstream.request(request.op, request.body, { payload, timeoutMs: 0 });
      await endpoint.reply(request, result);
    } catch (error) {
      await endpoint.reply(request, { error });
    }
  }

  private async startShim(endpoint: ServerEndpoint, request: Request): Promise<void> {
    try {
      const { containerId, execId, marker } = PROXY_OPS.StartShim.request.parse(request.body);
      await endpoint.reply(request, { body: { pid: await this.shims.start({ containerId, execId }, marker) } });
    } catch (error) {
      await endpoint.reply(request, { error });
    }
  }

  /** Drops one client's attachment; true while other clients remain attached to the process. */
  private detach(endpoint: ServerEndpoint, key: string): boolean {
    const set = this.subscribersOf(key);
    set.delete(endpoint);
    if (set.size) return true;
    this.subscribers.delete(key);
    return false;
  }

  /** Stops the guest pushing output nobody reads any more. */
  private detachGuest(key: string): void {
    const [containerId, execId] = key.split('/');
    void this.upstream.then((client) => client.request('Detach', { containerId, execId }, { timeoutMs: 10_000 })).catch(() => {});
  }

  private subscribersOf(key: string): Set<ServerEndpoint> {
    let set = this.subscribers.get(key);
    if (!set) this.subscribers.set(key, (set = new Set()));
    return set;
  }
}
