// hyperstart framing, both channels, big-endian, the length counting the header, 10240 bytes max:
//   control: u32 code | u32 length | JSON payload          (8-byte header)
//   stream:  u64 seq  | u32 length | data                   (12-byte header)
// An empty stream frame is EOF of that seq; the next frame on it carries one byte, the exit code.
// The decoders are incremental and never throw: a frame whose length is impossible (below the
// header, above the maximum) cannot be resynchronised on a byte stream, so the decoder stops and
// reports it once, and the owner of the connection drops it.
export const CONTROL_HEADER_BYTES = 8;
export const STREAM_HEADER_BYTES = 12;
export const MAX_FRAME_BYTES = 10240;
export const MAX_CONTROL_PAYLOAD = MAX_FRAME_BYTES - CONTROL_HEADER_BYTES;
export const MAX_STREAM_DATA = MAX_FRAME_BYTES - STREAM_HEADER_BYTES;

export interface ControlFrame {
  code: number;
  payload: Buffer;
}

export interface StreamFrame {
  seq: bigint;
  data: Buffer;
}

export class FrameTooLargeError extends Error {
  constructor(readonly bytes: number) {
    super(`hyperstart frame of ${bytes} bytes exceeds the ${MAX_FRAME_BYTES}-byte maximum`);
  }
}

/** Header + body, the header's last u32 being the total length; `head` fills the rest of it. */
function framed(headerBytes: number, body: Buffer, head: (header: Buffer) => void): Buffer {
  const length = headerBytes + body.length;
  if (length > MAX_FRAME_BYTES) throw new FrameTooLargeError(length);
  const header = Buffer.alloc(headerBytes);
  head(header);
  header.writeUInt32BE(length, headerBytes - 4);
  return Buffer.concat([header, body]);
}

export function encodeControl(code: number, payload: Buffer | object | null = null): Buffer {
  const body = payload === null ? Buffer.alloc(0) : Buffer.isBuffer(payload) ? payload : Buffer.from(JSON.stringify(payload));
  return framed(CONTROL_HEADER_BYTES, body, (h) => h.writeUInt32BE(code, 0));
}

/** One stream frame; `data` must fit (use encodeStreamData to split). */
export function encodeStream(seq: bigint, data: Buffer): Buffer {
  return framed(STREAM_HEADER_BYTES, data, (h) => h.writeBigUInt64BE(seq, 0));
}

/** Any amount of data as frames of at most the maximum; nothing for no data (that would be EOF). */
export function encodeStreamData(seq: bigint, data: Buffer): Buffer {
  const frames: Buffer[] = [];
  for (let at = 0; at < data.length; at += MAX_STREAM_DATA) frames.push(encodeStream(seq, data.subarray(at, at + MAX_STREAM_DATA)));
  return Buffer.concat(frames);
}

/** EOF of `seq` and, for the process's stdout seq, its exit code (one byte, as hyperstart: code & 0xff). */
export function encodeStreamEnd(seq: bigint, exitCode?: number): Buffer {
  const eof = encodeStream(seq, Buffer.alloc(0));
  return exitCode === undefined ? eof : Buffer.concat([eof, encodeStream(seq, Buffer.from([exitCode & 0xff]))]);
}

abstract class Decoder<F> {
  private buffer: Buffer = Buffer.alloc(0);
  /** Set once an impossible length was seen; nothing more is decoded from this connection. */
  error: Error | null = null;

  constructor(private readonly headerBytes: number) {}

  push(chunk: Buffer): F[] {
    if (this.error) return [];
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const frames: F[] = [];
    while (this.buffer.length >= this.headerBytes) {
      const length = this.buffer.readUInt32BE(this.headerBytes - 4);
      if (length < this.headerBytes || length > MAX_FRAME_BYTES) {
        this.error = length > MAX_FRAME_BYTES ? new FrameTooLargeError(length) : new Error(`hyperstart frame length ${length} is below its ${this.headerBytes}-byte header`);
        this.buffer = Buffer.alloc(0);
        return frames;
      }
      if (this.buffer.length < length) break;
      frames.push(this.frame(this.buffer.subarray(0, this.headerBytes), Buffer.from(this.buffer.subarray(this.headerBytes, length))));
      this.buffer = this.buffer.subarray(length);
    }
    return frames;
  }

  /** Bytes of an incomplete frame still waiting for the rest (a truncated frame stays here). */
  get pendingBytes(): number {
    return this.buffer.length;
  }

  protected abstract frame(header: Buffer, body: Buffer): F;
}

export class ControlDecoder extends Decoder<ControlFrame> {
  constructor() {
    super(CONTROL_HEADER_BYTES);
  }
  protected frame(header: Buffer, payload: Buffer): ControlFrame {
    return { code: header.readUInt32BE(0), payload };
  }
}

export class StreamDecoder extends Decoder<StreamFrame> {
  constructor() {
    super(STREAM_HEADER_BYTES);
  }
  protected frame(header: Buffer, data: Buffer): StreamFrame {
    return { seq: header.readBigUInt64BE(0), data };
  }
}

export type StreamEvent = { kind: 'data'; seq: bigint; data: Buffer } | { kind: 'eof'; seq: bigint } | { kind: 'exit'; seq: bigint; exitCode: number };

/** Reads the EOF convention: after an empty frame, the next frame on that seq is the exit code. */
export class StreamEvents {
  private readonly ended = new Set<bigint>();

  next(frame: StreamFrame): StreamEvent {
    const { seq, data } = frame;
    if (this.ended.has(seq)) {
      this.ended.delete(seq);
      return { kind: 'exit', seq, exitCode: data.length ? data[0]! : 255 };
    }
    if (data.length === 0) {
      this.ended.add(seq);
      return { kind: 'eof', seq };
    }
    return { kind: 'data', seq, data };
  }
}
