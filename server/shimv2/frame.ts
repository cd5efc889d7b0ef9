// ttrpc's framing (github.com/containerd/ttrpc, channel.go), pure: a 10-byte header — payload
// length (u32, big-endian, at most 4 MiB), stream ID (u32; a client's are odd), message type
// (u8: 1 request, 2 response, 3 data) and flags (u8) — then the payload, a protobuf Request or
// Response (ttrpc.proto). No maintained ttrpc library exists for Node.js; this is all of it.

export const HEADER_LENGTH = 10;
/** ttrpc's messageLengthMax. */
export const MAX_PAYLOAD = 4 << 20;

export const FRAME_TYPE = { request: 1, response: 2, data: 3 } as const;
/** Flags of data frames (streaming calls, which the Task service has none of). */
export const FRAME_FLAGS = { remoteClosed: 1, remoteOpen: 2, noData: 4 } as const;

export interface Frame {
  streamId: number;
  type: number;
  flags: number;
  payload: Buffer;
}

export class FrameError extends Error {
  override readonly name = 'FrameError';
}

export function encodeFrame(frame: Frame): Buffer {
  if (frame.payload.length > MAX_PAYLOAD) throw new FrameError(`payload of ${frame.payload.length} bytes exceeds ttrpc's ${MAX_PAYLOAD}`);
  const header = Buffer.alloc(HEADER_LENGTH);
  header.writeUInt32BE(frame.payload.length, 0);
  header.writeUInt32BE(frame.streamId >>> 0, 4);
  header.writeUInt8(frame.type, 8);
  header.writeUInt8(frame.flags, 9);
  return Buffer.concat([header, frame.payload]);
}

/** Reassembles frames from a byte stream cut anywhere. An oversized length poisons the stream (ttrpc closes it). */
export class FrameDecoder {
  private buffered: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    const frames: Frame[] = [];
    while (this.buffered.length >= HEADER_LENGTH) {
      const length = this.buffered.readUInt32BE(0);
      if (length > MAX_PAYLOAD) throw new FrameError(`frame announces ${length} bytes, more than ttrpc's ${MAX_PAYLOAD}`);
      if (this.buffered.length < HEADER_LENGTH + length) break;
      frames.push({
        streamId: this.buffered.readUInt32BE(4),
        type: this.buffered.readUInt8(8),
        flags: this.buffered.readUInt8(9),
        payload: Buffer.from(this.buffered.subarray(HEADER_LENGTH, HEADER_LENGTH + length)),
      });
      this.buffered = this.buffered.subarray(HEADER_LENGTH + length);
    }
    return frames;
  }

  /** Bytes of an incomplete frame still waiting for the rest. */
  get pending(): number {
    return this.buffered.length;
  }
}
