// The shim v2's wire formats on hand-written bytes: ttrpc frames (10-byte header), the ttrpc
// Request envelope, a containerd DeleteResponse as containerd 1.6 really printed it
// (research/real-clients/calls.log), the shim's Go-style flags, and a unary ttrpc call over a
// real unix socket (unknown method → UNIMPLEMENTED, a slow call never holding up another).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder, FrameError, HEADER_LENGTH, MAX_PAYLOAD } from '../../server/shimv2/frame.js';
import { FlagError, parseShimFlags } from '../../server/shimv2/flags.js';
import { decode, encode, taskMethod, TASK_SERVICE } from '../../server/shimv2/proto.js';
import { CODE, serve, TtrpcClient, TtrpcError } from '../../server/shimv2/ttrpc.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('ttrpc frames', () => {
  it('a request: length, stream ID, type 1, flags, payload — big-endian', () => {
    expect(encodeFrame({ streamId: 1, type: 1, flags: 0, payload: Buffer.from('abc') })).toEqual(hex('00000003 00000001 01 00 616263'));
    expect(encodeFrame({ streamId: 0xfffffffe, type: 2, flags: 4, payload: Buffer.alloc(0) })).toEqual(hex('00000000 fffffffe 02 04'));
  });

  it('reassembles frames cut anywhere, and several in one chunk', () => {
    const bytes = Buffer.concat([hex('00000002 00000003 01 00 6869'), hex('00000001 00000005 02 00 21')]);
    const d = new FrameDecoder();
    expect(d.push(bytes.subarray(0, 5))).toEqual([]);
    expect(d.push(bytes.subarray(5, 12))).toEqual([{ streamId: 3, type: 1, flags: 0, payload: Buffer.from('hi') }]);
    expect(d.pending).toBe(0);
    expect(d.push(bytes.subarray(12, 20))).toEqual([]);
    expect(d.pending).toBe(8);
    expect(d.push(bytes.subarray(20))).toEqual([{ streamId: 5, type: 2, flags: 0, payload: Buffer.from('!') }]);
    const two = new FrameDecoder().push(bytes);
    expect(two.map((f) => f.streamId)).toEqual([3, 5]);
  });

  it('4 MiB is the most a frame may carry, either way', () => {
    expect(new FrameDecoder().push(encodeFrame({ streamId: 1, type: 1, flags: 0, payload: Buffer.alloc(MAX_PAYLOAD) }))[0]!.payload.length).toBe(MAX_PAYLOAD);
    expect(() => encodeFrame({ streamId: 1, type: 1, flags: 0, payload: Buffer.alloc(MAX_PAYLOAD + 1) })).toThrow(FrameError);
    expect(() => new FrameDecoder().push(hex('00400001 00000001 01 00'))).toThrow('more than ttrpc');
    expect(HEADER_LENGTH).toBe(10);
  });
});

describe('protobuf messages', () => {
  it('the ttrpc Request envelope', () => {
    const bytes = encode('ttrpc.Request', { service: TASK_SERVICE, method: 'State', payload: hex('0a027031') });
    expect(bytes).toEqual(Buffer.concat([hex('0a17'), Buffer.from('containerd.task.v2.Task'), hex('1205'), Buffer.from('State'), hex('1a04 0a027031')]));
    expect(decode('ttrpc.Request', bytes)).toMatchObject({ service: TASK_SERVICE, method: 'State', payload: hex('0a027031'), timeoutNano: 0 });
  });

  it("a Response's status (google.rpc.Status numbering)", () => {
    expect(encode('ttrpc.Response', { status: { code: 12, message: 'no' } })).toEqual(hex('0a06 080c 12026e6f'));
  });

  it("containerd's own DeleteResponse bytes decode, and ours encode the same way", () => {
    const real = hex('08ffffffff0f1089011a0b08c1ebc1d80610bd9f9a59');
    expect(decode('containerd.task.v2.DeleteResponse', real)).toEqual({ pid: 4294967295, exitStatus: 137, exitedAt: { seconds: 1796240833, nanos: 187076541 } });
    expect(encode('containerd.task.v2.DeleteResponse', { pid: 4294967295, exitStatus: 137, exitedAt: { seconds: 1796240833, nanos: 187076541 } })).toEqual(real);
  });

  it("every Task method's types come from shim.proto", () => {
    expect(taskMethod('Create')).toEqual({ request: 'containerd.task.v2.CreateTaskRequest', response: 'containerd.task.v2.CreateTaskResponse' });
    expect(taskMethod('Kill')).toEqual({ request: 'containerd.task.v2.KillRequest', response: 'google.protobuf.Empty' });
    expect(taskMethod('Nope')).toBeNull();
  });
});

describe('shim flags, as containerd passes them', () => {
  const common = ['-namespace', 'k8s.io', '-address', '/run/c.sock', '-publish-binary', '/usr/bin/containerd', '-id', 'abc'];
  it('start and delete', () => {
    expect(parseShimFlags([...common, 'start'])).toEqual({ namespace: 'k8s.io', address: '/run/c.sock', publishBinary: '/usr/bin/containerd', id: 'abc', bundle: '', socket: '', debug: false, action: 'start' });
    expect(parseShimFlags([...common, '-bundle', '/b', '-debug', 'delete'])).toMatchObject({ bundle: '/b', debug: true, action: 'delete' });
    expect(parseShimFlags(['--id=x', '-socket=/s', 'serve'])).toMatchObject({ id: 'x', socket: '/s', action: 'serve' });
  });
  it('refuses what Go would', () => {
    expect(() => parseShimFlags([...common, '-frob', '1', 'start'])).toThrow(FlagError);
    expect(() => parseShimFlags([...common])).toThrow('no action');
    expect(() => parseShimFlags(['-id'])).toThrow('flag needs an argument: -id');
    expect(() => parseShimFlags(['start'])).toThrow('-id is required');
  });
});

describe('a ttrpc call over a unix socket', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'pv-ttrpc-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('answers on the stream it was asked on, errors as statuses, and concurrently', async () => {
    let release!: () => void;
    const slow = new Promise<void>((r) => (release = r));
    const handlers = new Map([
      ['s.S/Echo', async (p: Buffer) => Buffer.concat([Buffer.from('echo:'), p])],
      ['s.S/Slow', async () => (await slow, Buffer.from('late'))],
      ['s.S/Fail', async () => Promise.reject(new TtrpcError(CODE.notFound, 'no such task'))],
    ]);
    const sock = path.join(dir, 't.sock');
    const server = await serve(sock, handlers, { onError: () => undefined });
    const client = await TtrpcClient.connect(sock);
    try {
      const late = client.call('s.S', 'Slow', Buffer.alloc(0));
      expect(await client.call('s.S', 'Echo', Buffer.from('x'))).toEqual(Buffer.from('echo:x'));
      await expect(client.call('s.S', 'Fail', Buffer.alloc(0))).rejects.toMatchObject({ code: CODE.notFound, message: 'no such task' });
      await expect(client.call('s.S', 'Nope', Buffer.alloc(0))).rejects.toMatchObject({ code: CODE.unimplemented });
      release();
      expect(await late).toEqual(Buffer.from('late'));
    } finally {
      client.close();
      server.close();
    }
  });
});
