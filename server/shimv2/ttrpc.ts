// A ttrpc server and client over unix sockets, on frame.ts and the ttrpc.proto envelope. Unary
// calls only (the Task and Events services have no streams). A server handles each request as it
// comes, so a long call (Wait) never holds up the others on the same connection.
import { createServer, connect, type Server, type Socket } from 'node:net';
import { decode, encode } from './proto.js';
import { encodeFrame, FRAME_TYPE, FrameDecoder } from './frame.js';

/** gRPC status codes a handler may fail with (containerd maps them back onto its errdefs). */
export const CODE = { ok: 0, invalidArgument: 3, notFound: 5, alreadyExists: 6, failedPrecondition: 9, unimplemented: 12, internal: 13, unavailable: 14 } as const;

export class TtrpcError extends Error {
  override readonly name = 'TtrpcError';
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** `service/method` → handler of the request payload, resolving with the response payload. */
export type Handlers = Map<string, (payload: Buffer) => Promise<Buffer>>;

interface Request {
  service: string;
  method: string;
  payload: Buffer;
}

/** One connection's requests, answered on the same stream IDs. */
function serveConnection(sock: Socket, handlers: Handlers, onError: (err: Error) => void): void {
  const decoder = new FrameDecoder();
  const reply = (streamId: number, body: Record<string, unknown>) => {
    if (!sock.destroyed) sock.write(encodeFrame({ streamId, type: FRAME_TYPE.response, flags: 0, payload: encode('ttrpc.Response', body) }));
  };
  sock.on('data', (chunk: Buffer) => {
    let frames;
    try {
      frames = decoder.push(chunk);
    } catch (err) {
      onError(err as Error);
      sock.destroy();
      return;
    }
    for (const frame of frames) {
      if (frame.type !== FRAME_TYPE.request) continue; // no streams: data frames have nowhere to go
      // A request whose envelope does not decode is answered, not thrown: a throw here would be
      // uncaught in this 'data' listener and take the whole daemon (every task of the pod) down.
      let req: Request;
      try {
        req = decode<Request>('ttrpc.Request', frame.payload);
      } catch (err) {
        reply(frame.streamId, { status: { code: CODE.invalidArgument, message: `not a ttrpc.Request: ${(err as Error).message}` } });
        continue;
      }
      const handler = handlers.get(`${req.service}/${req.method}`);
      if (!handler) {
        reply(frame.streamId, { status: { code: CODE.unimplemented, message: `${req.service}/${req.method} is not implemented` } });
        continue;
      }
      handler(req.payload).then(
        (payload) => reply(frame.streamId, { status: { code: CODE.ok }, payload }),
        (err: Error) => reply(frame.streamId, { status: { code: err instanceof TtrpcError ? err.code : CODE.internal, message: err.message } }),
      );
    }
  });
  sock.on('error', onError);
}

export function serve(path: string, handlers: Handlers, hooks: { onConnection?: (sock: Socket) => void; onError: (err: Error) => void }): Promise<Server> {
  const server = createServer((sock) => {
    hooks.onConnection?.(sock);
    serveConnection(sock, handlers, hooks.onError);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve(server));
  });
}

/** A ttrpc client: call() sends a request on the next odd stream ID and resolves with the response payload. */
export class TtrpcClient {
  private nextStream = 1;
  private readonly pending = new Map<number, { resolve: (b: Buffer) => void; reject: (e: Error) => void }>();
  private readonly decoder = new FrameDecoder();

  private constructor(private readonly sock: Socket) {
    sock.on('data', (chunk: Buffer) => {
      for (const frame of this.decoder.push(chunk)) {
        const waiter = this.pending.get(frame.streamId);
        if (!waiter || frame.type !== FRAME_TYPE.response) continue;
        this.pending.delete(frame.streamId);
        const res = decode<{ status: { code: number; message: string } | null; payload: Buffer }>('ttrpc.Response', frame.payload);
        if (res.status && res.status.code !== CODE.ok) waiter.reject(new TtrpcError(res.status.code, res.status.message));
        else waiter.resolve(res.payload);
      }
    });
    const failAll = (err: Error) => {
      for (const w of this.pending.values()) w.reject(err);
      this.pending.clear();
    };
    sock.on('error', failAll);
    sock.on('close', () => failAll(new TtrpcError(CODE.unavailable, 'ttrpc connection closed')));
  }

  static connect(path: string): Promise<TtrpcClient> {
    return new Promise((resolve, reject) => {
      const sock = connect(path, () => {
        sock.off('error', reject);
        resolve(new TtrpcClient(sock));
      });
      sock.once('error', reject);
    });
  }

  call(service: string, method: string, payload: Buffer, timeoutNano = 0): Promise<Buffer> {
    const streamId = this.nextStream;
    this.nextStream += 2;
    return new Promise((resolve, reject) => {
      this.pending.set(streamId, { resolve, reject });
      this.sock.write(encodeFrame({ streamId, type: FRAME_TYPE.request, flags: 0, payload: encode('ttrpc.Request', { service, method, payload, timeoutNano }) }));
    });
  }

  close(): void {
    this.sock.destroy();
  }
}
