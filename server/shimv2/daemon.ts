// The long-lived shim daemon of one pod: the Task service on a ttrpc socket, and the task events
// it forwards to containerd's Events service on TTRPC_ADDRESS. It never exits on an error of one
// call or connection (containerd counts a lost shim as dead tasks); it exits on Shutdown once it
// serves no task any more.
import { closeSync, writeSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { Connection } from '../cli/client.js';
import { decode, encode, EVENTS_SERVICE, taskMethod, TASK_SERVICE, timestamp } from './proto.js';
import { TaskService, ttrpcErrorOf, type Publish } from './task.js';
import { CODE, serve, TtrpcClient, TtrpcError, type Handlers } from './ttrpc.js';

const REFUSED: Record<string, string> = {
  Checkpoint: 'checkpointing a VM container is not supported',
  Update: 'changing the resources of a running VM is not supported',
  Stats: 'task stats are not reported by this shim (the console shows VM CPU and memory)',
};

/** Forwards events one after the other; a failed forward is logged, never fatal. */
export function eventPublisher(ttrpcAddress: string, namespace: string, log: (m: string) => void): Publish {
  let client: Promise<TtrpcClient> | null = null;
  let chain = Promise.resolve();
  return (topic, type, event) => {
    const envelope = { timestamp: timestamp(new Date()), namespace, topic, event: { typeUrl: `containerd.events.${type}`, value: encode(`containerd.events.${type}`, event) } };
    chain = chain.then(async () => {
      try {
        client ??= TtrpcClient.connect(ttrpcAddress);
        await (await client).call(EVENTS_SERVICE, 'Forward', encode('containerd.events.ForwardRequest', { envelope }));
      } catch (err) {
        client = null; // connect again for the next one
        log(`forwarding ${topic}: ${(err as Error).message}`);
      }
    });
  };
}

/** The Task service's ttrpc handlers: each decodes its request, calls `calls`, encodes the answer; refused methods say why. */
export function taskHandlers(calls: Record<string, (req: any) => unknown>, opts: { debug: boolean; log: (m: string) => void }): Handlers {
  const handlers: Handlers = new Map();
  for (const method of [...Object.keys(calls), ...Object.keys(REFUSED)]) {
    const types = taskMethod(method)!;
    handlers.set(`${TASK_SERVICE}/${method}`, async (payload) => {
      if (REFUSED[method]) throw new TtrpcError(CODE.unimplemented, `${method}: ${REFUSED[method]}`);
      let request: Record<string, unknown>;
      try {
        request = decode(types.request, payload);
      } catch (err) {
        throw new TtrpcError(CODE.invalidArgument, `${method}: the request is not a ${types.request}: ${(err as Error).message}`);
      }
      try {
        if (opts.debug) opts.log(`${method} ${JSON.stringify(request, (k, v) => (k === 'spec' || k === 'options' ? undefined : v))}`);
        const result = (await calls[method]!(request)) ?? {};
        if (opts.debug) opts.log(`${method} done ${JSON.stringify(result)}`);
        return encode(types.response, result as Record<string, unknown>);
      } catch (err) {
        const e = ttrpcErrorOf(err);
        opts.log(`${method}: ${e.message}`);
        throw e;
      }
    });
  }
  return handlers;
}

export async function runDaemon(opts: { api: Connection; podId: string; socket: string; namespace: string; ttrpcAddress: string; debug: boolean; log: (m: string) => void }): Promise<void> {
  const publish = eventPublisher(opts.ttrpcAddress, opts.namespace, opts.log);
  const service = new TaskService(opts.api, opts.podId, publish);
  let shuttingDown = false;
  const calls: Record<string, (req: any) => unknown> = {
    State: (r) => service.state(r),
    Create: (r) => service.create(r),
    Start: (r) => service.start(r),
    Delete: (r) => service.delete(r),
    Pids: (r) => service.pids(r),
    Pause: (r) => service.pause(r),
    Resume: (r) => service.resume(r),
    Kill: (r) => service.kill(r),
    Exec: (r) => service.exec(r),
    ResizePty: (r) => service.resizePty(r),
    CloseIO: (r) => service.closeIo(r),
    Wait: (r) => service.wait(r),
    Connect: (r) => service.connect(r),
    Shutdown: () => {
      if (service.empty) shuttingDown = true;
    },
  };
  const handlers = taskHandlers(calls, opts);
  const connections = new Set<import('node:net').Socket>();
  const server = await serve(opts.socket, handlers, {
    onConnection: (sock) => (connections.add(sock), sock.once('close', () => connections.delete(sock))),
    onError: (err) => opts.log(`connection: ${err.message}`),
  });
  try {
    writeSync(3, 'ready\n');
    closeSync(3);
  } catch {
    // started by hand, without a ready pipe
  }
  // Shutdown answers first, then the daemon goes: poll the flag rather than exit mid-reply.
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (!shuttingDown) return;
      clearInterval(timer);
      resolve();
    }, 100);
  });
  // containerd waits for the shim to hang up after Shutdown: do so rather than let it time out.
  server.close();
  for (const sock of connections) sock.destroy();
  await rm(opts.socket, { force: true });
  await opts.api.close();
}
