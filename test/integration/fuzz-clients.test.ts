// [SECURITY] Bad input to the real-client front ends. The OCI runtime's config.json and process.json:
// podman's real spec with every field, at every depth, replaced by each malformed value in turn —
// each is mapped to a pod config that validates, or refused with INVALID_CONFIG / NOT_SUPPORTED,
// never a TypeError. The containerd shim's ttrpc socket: garbage bytes, cut and oversized frames,
// undecodable envelopes and requests to every Task method — the daemon answers or drops that
// connection, never throws, and the next connection is still served.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from '../../server/cli/client.js';
import { EngineError, invalidConfig, toEngineError } from '../../server/engine/errors.js';
import { CmdSchema, PodConfigSchema } from '../../server/engine/types.js';
import { ociProcessToCmd, ociToPodConfig } from '../../server/oci/spec.js';
import { taskHandlers } from '../../server/shimv2/daemon.js';
import { encodeFrame, FRAME_TYPE } from '../../server/shimv2/frame.js';
import { decode, encode, TASK_SERVICE } from '../../server/shimv2/proto.js';
import { TaskService } from '../../server/shimv2/task.js';
import { CODE, serve, TtrpcClient } from '../../server/shimv2/ttrpc.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../unit/fixtures/${name}`, import.meta.url), 'utf8'));
const BAD: unknown[] = [null, 0, -1, 1.5, 1e308, '', 'x'.repeat(70_000), '../../etc/passwd', '\u0000', [], [null], {}, { __proto__: { polluted: true } }, true];

/** As the engine takes a config (engine.ts): a schema failure is INVALID_CONFIG naming the field. */
function validated(schema: typeof PodConfigSchema | typeof CmdSchema, value: unknown) {
  const r = schema.safeParse(value);
  if (!r.success) throw invalidConfig(r.error, 'config');
}

/** Every path into `value` (objects and arrays), parents first. */
function paths(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [at];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [at, ...keys.flatMap((k) => paths((value as Record<string | number, unknown>)[k], [...at, k]))];
}
function replaced(root: unknown, at: (string | number)[], bad: unknown): unknown {
  if (at.length === 0) return bad;
  const copy = structuredClone(root) as Record<string | number, unknown>;
  let node = copy;
  for (const k of at.slice(0, -1)) node = node[k] as Record<string | number, unknown>;
  node[at.at(-1)!] = bad;
  return copy;
}

/** Runs `map` on each mutation; returns what was refused how, failing on anything that is not an EngineError. */
function fuzz(original: unknown, map: (input: unknown) => void) {
  const outcomes = { mapped: 0, refused: 0 };
  for (const at of paths(original))
    for (const bad of BAD) {
      const input = replaced(original, at, bad);
      try {
        map(input);
        outcomes.mapped += 1;
      } catch (err) {
        const where = `${at.join('.') || '(root)'} = ${JSON.stringify(bad)?.slice(0, 40)}`;
        expect(err, where).toBeInstanceOf(EngineError);
        expect(['INVALID_CONFIG', 'NOT_SUPPORTED'], where).toContain((err as EngineError).code);
        // The refusal names where: the top-level OCI field the bad value is under, or (a value the
        // mapper passed on, which the engine's schema refused) the pod config field it became.
        if (at.length > 0) expect((err as EngineError).message, where).toMatch(new RegExp(`${String(at[0])}|containers\\.0\\.`));
        outcomes.refused += 1;
      }
    }
  return outcomes;
}

describe('OCI config.json and process.json', () => {
  it("every field of podman's config.json, malformed in turn: a valid pod or a refusal with a code", () => {
    const spec = fixture('podman-config.json');
    const outcomes = fuzz(spec, (input) => validated(PodConfigSchema, ociToPodConfig(input, { id: 'a'.repeat(64), bundle: '/b' }).config));
    expect(outcomes.refused).toBeGreaterThan(100);
    expect(outcomes.mapped).toBeGreaterThan(0); // e.g. an annotation's value may be any string
  });

  it("every field of podman's exec process.json, malformed in turn: a valid Cmd or a refusal with a code", () => {
    const outcomes = fuzz(fixture('podman-exec-process.json'), (input) => validated(CmdSchema, ociProcessToCmd(input, [], '')));
    expect(outcomes.refused).toBeGreaterThan(20);
  });
});

describe("the containerd shim's ttrpc socket", () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pv-ttrpc-fuzz-'));
  const socket = path.join(dir, 'shim.sock');
  const logged: string[] = [];
  // The Task service over a console that knows no pod: every call reaches the engine's answer.
  const api = new Proxy({}, { get: () => new Proxy({}, { get: () => new Proxy({}, { get: () => async () => { throw new EngineError('POD_NOT_FOUND', 'no such pod'); } }) }) });
  const consoleOfNoPod: Connection = { api: api as Connection['api'], local: null, errorOf: toEngineError, close: async () => {} };
  const service = new TaskService(consoleOfNoPod, 'fuzzed', () => {});
  const calls: Record<string, (req: any) => unknown> = {
    State: (r) => service.state(r), Create: (r) => service.create(r), Start: (r) => service.start(r), Delete: (r) => service.delete(r),
    Pids: (r) => service.pids(r), Pause: (r) => service.pause(r), Resume: (r) => service.resume(r), Kill: (r) => service.kill(r),
    Exec: (r) => service.exec(r), ResizePty: (r) => service.resizePty(r), CloseIO: (r) => service.closeIo(r), Wait: (r) => service.wait(r), Connect: (r) => service.connect(r), Shutdown: () => {},
  };
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    server = await serve(socket, taskHandlers(calls, { debug: false, log: (m) => logged.push(m) }), { onError: (err) => logged.push(err.message) });
  });
  afterAll(() => {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Writes `bytes`, then collects one answer frame, or nothing until the daemon closes or goes quiet. */
  const exchange = (bytes: Buffer, quietMs = 300) =>
    new Promise<{ answer: Buffer; closed: boolean }>((resolve) => {
      const sock: Socket = connect(socket);
      const chunks: Buffer[] = [];
      let timer: NodeJS.Timeout;
      const done = (closed: boolean) => (clearTimeout(timer), sock.destroy(), resolve({ answer: Buffer.concat(chunks), closed }));
      sock.on('data', (d) => {
        chunks.push(d);
        const got = Buffer.concat(chunks);
        if (got.length >= 10 && got.length >= 10 + got.readUInt32BE(0)) done(false); // one whole answer
      });
      sock.on('close', () => done(true));
      sock.on('error', () => {});
      sock.write(bytes);
      timer = setTimeout(() => done(false), quietMs);
    });
  const statusOf = (answer: Buffer) => decode<{ status: { code: number } }>('ttrpc.Response', answer.subarray(10)).status.code;
  const request = (service: string, method: string, payload: Buffer) => encodeFrame({ streamId: 1, type: FRAME_TYPE.request, flags: 0, payload: encode('ttrpc.Request', { service, method, payload }) });

  async function stillServes() {
    const client = await TtrpcClient.connect(socket);
    try {
      await expect(client.call(TASK_SERVICE, 'State', encode('containerd.task.v2.StateRequest', { id: 'x' }))).rejects.toMatchObject({ code: CODE.notFound });
    } finally {
      client.close();
    }
  }

  it('garbage, a cut frame, an oversized length, a data frame: no answer or the connection dropped, and the next one is served', async () => {
    for (const bytes of [Buffer.from('GET / HTTP/1.1\r\n\r\n'), Buffer.alloc(4096, 0xff), Buffer.from('0000000a00000001', 'hex'), Buffer.from('7fffffff0000000101000000', 'hex'), encodeFrame({ streamId: 3, type: FRAME_TYPE.data, flags: 0, payload: Buffer.from('x') })]) {
      const { answer } = await exchange(bytes);
      expect(answer.length).toBe(0);
      await stillServes();
    }
  });

  it('an envelope that does not decode is INVALID_ARGUMENT; an unknown method UNIMPLEMENTED', async () => {
    const garbled = encodeFrame({ streamId: 1, type: FRAME_TYPE.request, flags: 0, payload: Buffer.from('0aff01', 'hex') });
    expect(statusOf((await exchange(garbled)).answer)).toBe(CODE.invalidArgument);
    expect(statusOf((await exchange(request(TASK_SERVICE, 'Nope', Buffer.alloc(0)))).answer)).toBe(CODE.unimplemented);
    expect(statusOf((await exchange(request('x'.repeat(10_000), '', Buffer.alloc(0)))).answer)).toBe(CODE.unimplemented);
    await stillServes();
  });

  it('every Task method with an undecodable, an empty and a nonsense request: a status code, never a crash', async () => {
    const methods = [...Object.keys(calls), 'Checkpoint', 'Update', 'Stats'];
    const payloads = [Buffer.from('0aff01', 'hex'), Buffer.alloc(0), encode('containerd.task.v2.CreateTaskRequest', { id: '../../x', bundle: '/nonexistent\u0000', terminal: false, stdin: '/dev/zero' })];
    const codes = new Set<number>();
    for (const method of methods)
      for (const payload of payloads) {
        const { answer, closed } = await exchange(request(TASK_SERVICE, method, payload), method === 'Wait' ? 200 : 300);
        if (answer.length === 0) {
          // Wait blocks until the task exits; anything else must answer.
          expect(method, `${method} gave no answer (closed: ${closed})`).toBe('Wait');
          continue;
        }
        codes.add(statusOf(answer));
      }
    expect(codes.has(CODE.invalidArgument)).toBe(true);
    expect(codes.has(CODE.unimplemented)).toBe(true);
    await stillServes();
  });
});
