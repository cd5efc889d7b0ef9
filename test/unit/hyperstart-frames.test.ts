// hyperstart and cc-proxy framing against hand-written bytes: every fixture below is spelled out
// byte by byte from the documented layout, not produced by the encoder under test.
import { describe, expect, it } from 'vitest';
import { commandName, HYPERSTART_CODES } from '../../server/guest/protocol/hyperstart/codes.js';
import {
  ControlDecoder,
  encodeControl,
  encodeStream,
  encodeStreamData,
  encodeStreamEnd,
  FrameTooLargeError,
  MAX_FRAME_BYTES,
  StreamDecoder,
  StreamEvents,
} from '../../server/guest/protocol/hyperstart/frames.js';
import { CcFrameDecoder, encodeCcFrame } from '../../server/engine/drivers/proxy/cc/frame.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('hyperstart code table', () => {
  it('uses the virtcontainers numbering, 23 pscontainer and 24 processasyncevent', () => {
    expect([HYPERSTART_CODES.VERSION, HYPERSTART_CODES.STARTPOD, HYPERSTART_CODES.DESTROYPOD, HYPERSTART_CODES.EXECCMD, HYPERSTART_CODES.READY, HYPERSTART_CODES.ACK, HYPERSTART_CODES.ERROR, HYPERSTART_CODES.WINSIZE, HYPERSTART_CODES.NEXT]).toEqual([0, 1, 4, 6, 8, 9, 10, 11, 14]);
    expect([HYPERSTART_CODES.NEWCONTAINER, HYPERSTART_CODES.KILLCONTAINER, HYPERSTART_CODES.REMOVECONTAINER, HYPERSTART_CODES.PSCONTAINER, HYPERSTART_CODES.PROCESSASYNCEVENT]).toEqual([17, 18, 22, 23, 24]);
    expect(commandName(23)).toBe('PSCONTAINER');
    expect(commandName(99)).toBeNull();
  });
});

describe('hyperstart control frames (u32 code | u32 length incl. 8-byte header | JSON)', () => {
  it('encodes READY with no payload as its bare 8-byte header', () => {
    expect(encodeControl(8)).toEqual(hex('00000008 00000008'));
  });

  it('encodes a JSON payload with the length counting the header', () => {
    expect(encodeControl(18, { container: 'c', signal: 9 })).toEqual(Buffer.concat([hex('00000012 00000024'), Buffer.from('{"container":"c","signal":9}')]));
  });

  it('decodes frames split at any byte and several in one chunk', () => {
    const wire = Buffer.concat([hex('00000009 0000000a'), Buffer.from('{}'), hex('0000000e 0000000c 00000400'), hex('0000000a 0000000d'), Buffer.from('nope!')]);
    for (let cut = 0; cut <= wire.length; cut++) {
      const d = new ControlDecoder();
      const frames = [...d.push(wire.subarray(0, cut)), ...d.push(wire.subarray(cut))];
      expect(frames.map((f) => [f.code, f.payload.toString('hex')])).toEqual([
        [9, Buffer.from('{}').toString('hex')],
        [14, '00000400'], // NEXT with its 4-byte count: decoded, and the host ignores it
        [10, Buffer.from('nope!').toString('hex')],
      ]);
      expect(d.error).toBeNull();
    }
  });

  it('accepts a frame of exactly 10240 bytes and refuses to encode 10241', () => {
    const payload = Buffer.alloc(MAX_FRAME_BYTES - 8, 0x61);
    const wire = Buffer.concat([hex('00000006 00002800'), payload]);
    expect(encodeControl(6, payload)).toEqual(wire);
    const [frame] = new ControlDecoder().push(wire);
    expect(frame?.payload.length).toBe(10232);
    expect(() => encodeControl(6, Buffer.alloc(MAX_FRAME_BYTES - 7))).toThrow(FrameTooLargeError);
  });

  it('keeps a truncated frame pending without yielding it', () => {
    const d = new ControlDecoder();
    expect(d.push(hex('00000009 00000010 7b7d'))).toEqual([]);
    expect(d.pendingBytes).toBe(10);
    expect(d.error).toBeNull();
  });

  it('refuses an oversized or undersized length once, without throwing, and decodes nothing after it', () => {
    const big = new ControlDecoder();
    expect(big.push(Buffer.concat([hex('00000009 00002801'), hex('00000008 00000008')]))).toEqual([]);
    expect(big.error).toBeInstanceOf(FrameTooLargeError);
    expect(big.push(hex('00000008 00000008'))).toEqual([]);
    const small = new ControlDecoder();
    expect(small.push(hex('00000009 00000007'))).toEqual([]);
    expect(small.error?.message).toMatch(/below its 8-byte header/);
  });
});

describe('hyperstart stream frames (u64 seq | u32 length incl. 12-byte header | data)', () => {
  it('encodes data, EOF as an empty frame and the exit code as one byte after it', () => {
    expect(encodeStream(5n, Buffer.from('hi'))).toEqual(hex('0000000000000005 0000000e 6869'));
    expect(encodeStreamEnd(5n, 3)).toEqual(hex('0000000000000005 0000000c  0000000000000005 0000000d 03'));
    expect(encodeStreamEnd(6n)).toEqual(hex('0000000000000006 0000000c'));
  });

  it('decodes data, EOF and exit code per seq: stdout N, stderr N+1', () => {
    const wire = hex(`
      0000000000000002 0000000f 6f7574
      0000000000000003 0000000f 657272
      0000000000000003 0000000c
      0000000000000002 0000000c
      0000000000000002 0000000d 2a`);
    const events = new StreamEvents();
    const got = new StreamDecoder().push(wire).map((f) => events.next(f));
    expect(got).toEqual([
      { kind: 'data', seq: 2n, data: Buffer.from('out') },
      { kind: 'data', seq: 3n, data: Buffer.from('err') },
      { kind: 'eof', seq: 3n },
      { kind: 'eof', seq: 2n },
      { kind: 'exit', seq: 2n, exitCode: 42 },
    ]);
  });

  it('splits data into frames of at most 10240 bytes', () => {
    const wire = encodeStreamData(1n, Buffer.alloc(MAX_FRAME_BYTES - 12 + 1, 0x62));
    expect(wire.readUInt32BE(8)).toBe(10240);
    expect(wire.readUInt32BE(10240 + 8)).toBe(13);
    expect(new StreamDecoder().push(wire).map((f) => f.data.length)).toEqual([10228, 1]);
    expect(encodeStreamData(1n, Buffer.alloc(0))).toEqual(Buffer.alloc(0));
  });

  it('refuses an oversized stream frame without throwing; a truncated one stays pending', () => {
    const d = new StreamDecoder();
    expect(d.push(hex('0000000000000001 00002801'))).toEqual([]);
    expect(d.error).toBeInstanceOf(FrameTooLargeError);
    const t = new StreamDecoder();
    expect(t.push(hex('0000000000000001 00000010 6162'))).toEqual([]);
    expect(t.pendingBytes).toBe(14);
  });
});

describe('cc-proxy frames (version 2, header length in words, type/error flags, opcode, u32 payload length)', () => {
  it('encodes a command, an error response, a stream and a notification', () => {
    expect(encodeCcFrame({ type: 'command', opcode: 4, payload: { token: 't' } })).toEqual(Buffer.concat([hex('0002 03 00 0000 00 04 0000000d'), Buffer.from('{"token":"t"}')]));
    expect(encodeCcFrame({ type: 'response', opcode: 0, error: true, payload: Buffer.from('x') })).toEqual(hex('0002 03 00 0000 11 00 00000001 78'));
    expect(encodeCcFrame({ type: 'stream', opcode: 1, payload: Buffer.from('ab') })).toEqual(hex('0002 03 00 0000 02 01 00000002 6162'));
    expect(encodeCcFrame({ type: 'notification', opcode: 0 })).toEqual(hex('0002 03 00 0000 03 00 00000000'));
  });

  it('decodes split frames and skips header words beyond the third', () => {
    const wire = hex('0002 04 00 0000 02 02 00000001 deadbeef 7a   0002 03 00 0000 01 06 00000000');
    for (let cut = 0; cut <= wire.length; cut++) {
      const d = new CcFrameDecoder();
      const frames = [...d.push(wire.subarray(0, cut)), ...d.push(wire.subarray(cut))];
      expect(frames).toEqual([
        { type: 'stream', opcode: 2, error: false, payload: Buffer.from('z') },
        { type: 'response', opcode: 6, error: false, payload: Buffer.alloc(0) },
      ]);
    }
  });

  it('stops on a wrong version, a short header, an unknown type or an oversized payload, without throwing', () => {
    for (const [bytes, message] of [
      ['0001 03 00 0000 00 00 00000000', /version 1/],
      ['0002 02 00 0000 00 00 00000000', /header length 2 words/],
      ['0002 03 00 0000 07 00 00000000', /unknown frame type 7/],
      ['0002 03 00 0000 00 00 00100001', /exceeds/],
    ] as const) {
      const d = new CcFrameDecoder();
      expect(d.push(hex(bytes))).toEqual([]);
      expect(d.error?.message).toMatch(message);
    }
    const t = new CcFrameDecoder();
    expect(t.push(hex('0002 03 00 0000 00 00 00000004 7b7d'))).toEqual([]);
    expect(t.error).toBeNull();
  });
});
