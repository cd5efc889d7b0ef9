// Wire framing between host and guest agent: MAGIC | u32 header length | u32 payload length |
// u32 CRC32 of the lengths | u32 CRC32 of the rest | JSON header | binary payload. The CRCs let the
// decoder reject garbage and partial frames (the tail of a frame written to an earlier host
// connection) without waiting for bogus lengths, and resync on the next MAGIC.
import { crc32 } from 'node:zlib';

/** A non-ASCII first byte makes accidental matches inside text output unlikely. */
export const MAGIC = Buffer.from([0xd7, 0x50, 0x56, 0x31]);
const PREFIX_BYTES = 20;
export const MAX_HEADER_BYTES = 64 * 1024;
export const MAX_PAYLOAD_BYTES = 1024 * 1024;

export interface Frame {
  header: Record<string, unknown>;
  payload: Buffer;
}

function bodyChecksum(header: Buffer, payload: Buffer): number {
  return crc32(payload, crc32(header));
}

export function encodeFrame(header: Record<string, unknown>, payload: Buffer = Buffer.alloc(0)): Buffer {
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  if (headerBytes.length > MAX_HEADER_BYTES) throw new Error(`frame header too large (${headerBytes.length} bytes)`);
  if (payload.length > MAX_PAYLOAD_BYTES) throw new Error(`frame payload too large (${payload.length} bytes)`);
  const prefix = Buffer.alloc(PREFIX_BYTES);
  MAGIC.copy(prefix, 0);
  prefix.writeUInt32BE(headerBytes.length, 4);
  prefix.writeUInt32BE(payload.length, 8);
  prefix.writeUInt32BE(crc32(prefix.subarray(4, 12)), 12);
  prefix.writeUInt32BE(bodyChecksum(headerBytes, payload), 16);
  return Buffer.concat([prefix, headerBytes, payload]);
}

/** Incremental decoder. Bytes that do not form a valid frame are skipped, counted in `discardedBytes`. */
export class FrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);
  discardedBytes = 0;

  push(chunk: Buffer): Frame[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const frames: Frame[] = [];
    for (;;) {
      const result = this.next();
      if (result === 'need-more') return frames;
      if (result) frames.push(result);
    }
  }

  /** Forgets a partial frame, e.g. when the peer went away mid-frame. */
  reset(): void {
    this.discardedBytes += this.buffer.length;
    this.buffer = Buffer.alloc(0);
  }

  /** One decoding step: a frame, null after skipping garbage, or 'need-more'. */
  private next(): Frame | null | 'need-more' {
    const start = this.buffer.indexOf(MAGIC);
    if (start < 0) {
      // Keep a tail that may be the beginning of MAGIC.
      this.skip(Math.max(0, this.buffer.length - (MAGIC.length - 1)));
      return 'need-more';
    }
    if (start > 0) this.skip(start);
    if (this.buffer.length < PREFIX_BYTES) return 'need-more';
    const headerLength = this.buffer.readUInt32BE(4);
    const payloadLength = this.buffer.readUInt32BE(8);
    const lengthsValid = crc32(this.buffer.subarray(4, 12)) === this.buffer.readUInt32BE(12);
    if (!lengthsValid || headerLength > MAX_HEADER_BYTES || payloadLength > MAX_PAYLOAD_BYTES) return this.skipMagic();
    const total = PREFIX_BYTES + headerLength + payloadLength;
    if (this.buffer.length < total) return 'need-more';
    const headerBytes = this.buffer.subarray(PREFIX_BYTES, PREFIX_BYTES + headerLength);
    const payload = this.buffer.subarray(PREFIX_BYTES + headerLength, total);
    if (bodyChecksum(headerBytes, payload) !== this.buffer.readUInt32BE(16)) return this.skipMagic();
    let header: unknown;
    try {
      header = JSON.parse(headerBytes.toString('utf8'));
    } catch {
      return this.skipMagic();
    }
    if (!header || typeof header !== 'object' || Array.isArray(header)) return this.skipMagic();
    const frame = { header: header as Record<string, unknown>, payload: Buffer.from(payload) };
    this.buffer = this.buffer.subarray(total);
    return frame;
  }

  private skipMagic(): null {
    this.skip(1);
    return null;
  }

  private skip(bytes: number): void {
    this.discardedBytes += bytes;
    this.buffer = this.buffer.subarray(bytes);
  }
}
