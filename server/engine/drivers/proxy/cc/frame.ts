// cc-proxy framing between the ccProxy and its clients (engine driver, ccShims), big-endian:
//   u16 version (2) | u8 header length in 32-bit words (>= 3) | u8 reserved
//   u16 reserved    | u8 flags: low nibble type, bit 4 Error  | u8 opcode
//   u32 payload length
//   [header words beyond 3 are skipped] payload (JSON for commands, responses, notifications)
// A header longer than 3 words is accepted and its extra words ignored, as the format allows.
export const CC_VERSION = 2;
export const CC_MIN_HEADER_BYTES = 12;
/** Far above any JSON command or stdio chunk we send; a bigger length means a broken peer. */
export const CC_MAX_PAYLOAD = 1024 * 1024;

export const FrameType = { command: 0, response: 1, stream: 2, notification: 3 } as const;
export type FrameTypeName = keyof typeof FrameType;

export const Command = { RegisterVM: 0, UnregisterVM: 1, AttachVM: 2, Hyper: 3, ConnectShim: 4, DisconnectShim: 5, Signal: 6 } as const;
export type CommandName = keyof typeof Command;
export const Stream = { stdin: 0, stdout: 1, stderr: 2, log: 3 } as const;
export type StreamName = keyof typeof Stream;
export const Notification = { ProcessExited: 0 } as const;

const ERROR_FLAG = 0x10;
const TYPE_NAMES = Object.keys(FrameType) as FrameTypeName[];

export interface CcFrame {
  type: FrameTypeName;
  opcode: number;
  error: boolean;
  payload: Buffer;
}

export function encodeCcFrame(frame: Omit<CcFrame, 'payload' | 'error'> & { error?: boolean; payload?: Buffer | object }): Buffer {
  const { payload = Buffer.alloc(0) } = frame;
  const body = Buffer.isBuffer(payload) ? payload : Buffer.from(JSON.stringify(payload));
  if (body.length > CC_MAX_PAYLOAD) throw new Error(`cc-proxy payload of ${body.length} bytes exceeds ${CC_MAX_PAYLOAD}`);
  const header = Buffer.alloc(CC_MIN_HEADER_BYTES);
  header.writeUInt16BE(CC_VERSION, 0);
  header.writeUInt8(CC_MIN_HEADER_BYTES / 4, 2);
  header.writeUInt8(FrameType[frame.type] | (frame.error ? ERROR_FLAG : 0), 6);
  header.writeUInt8(frame.opcode, 7);
  header.writeUInt32BE(body.length, 8);
  return Buffer.concat([header, body]);
}

/** Incremental; never throws. A wrong version, header length or payload length stops it (`error`). */
export class CcFrameDecoder {
  private buffer: Buffer = Buffer.alloc(0);
  error: Error | null = null;

  push(chunk: Buffer): CcFrame[] {
    if (this.error) return [];
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const frames: CcFrame[] = [];
    while (this.buffer.length >= CC_MIN_HEADER_BYTES) {
      const version = this.buffer.readUInt16BE(0);
      const headerBytes = this.buffer.readUInt8(2) * 4;
      const flags = this.buffer.readUInt8(6);
      const length = this.buffer.readUInt32BE(8);
      const type = TYPE_NAMES[flags & 0x0f];
      const problem =
        version !== CC_VERSION ? `version ${version}, expected ${CC_VERSION}`
        : headerBytes < CC_MIN_HEADER_BYTES ? `header length ${headerBytes / 4} words, at least 3`
        : length > CC_MAX_PAYLOAD ? `payload of ${length} bytes exceeds ${CC_MAX_PAYLOAD}`
        : !type ? `unknown frame type ${flags & 0x0f}`
        : null;
      if (problem) {
        this.error = new Error(`bad cc-proxy frame: ${problem}`);
        this.buffer = Buffer.alloc(0);
        return frames;
      }
      if (this.buffer.length < headerBytes + length) break;
      frames.push({ type: type!, opcode: this.buffer.readUInt8(7), error: (flags & ERROR_FLAG) !== 0, payload: Buffer.from(this.buffer.subarray(headerBytes, headerBytes + length)) });
      this.buffer = this.buffer.subarray(headerBytes + length);
    }
    return frames;
  }
}
