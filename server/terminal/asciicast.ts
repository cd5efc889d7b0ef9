// asciicast v2 (asciinema's recording format): a JSON header line, then one JSON array per event,
// [seconds since the start, code, data], with code "o" output, "i" input, "r" resize ("COLSxROWS").
// Pure: the writer hands lines to a sink, so the format is tested without files.
import { z } from 'zod';

export const CastHeaderSchema = z.object({
  version: z.literal(2),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Unix seconds of the start. */
  timestamp: z.number().int().optional(),
  title: z.string().optional(),
  env: z.record(z.string(), z.string()).optional(),
});
export type CastHeader = z.infer<typeof CastHeaderSchema>;

export const CastEventSchema = z.tuple([z.number().nonnegative(), z.enum(['o', 'i', 'r', 'm']), z.string()]);
export type CastEvent = z.infer<typeof CastEventSchema>;

export function castEventLine(seconds: number, code: CastEvent[1], data: string): string {
  // Microseconds, as asciinema writes them; JSON.stringify escapes control bytes as \uXXXX.
  return JSON.stringify([Math.round(seconds * 1e6) / 1e6, code, data]);
}

/** Parses a whole recording; throws on a line that is not asciicast v2. */
export function parseCast(text: string): { header: CastHeader; events: CastEvent[] } {
  const lines = text.split('\n').filter((l) => l.length > 0);
  const header = CastHeaderSchema.parse(JSON.parse(lines[0] ?? 'null'));
  return { header, events: lines.slice(1).map((l) => CastEventSchema.parse(JSON.parse(l))) };
}

/**
 * Turns a session's traffic into asciicast lines. Times come from `now` (injectable for tests) and
 * never go backwards. Past `maxBytes` the rest is dropped with one marker event, so a runaway
 * `yes` cannot fill the disk.
 */
export class CastWriter {
  private readonly started: number;
  private last = 0;
  bytes = 0;
  private full = false;

  constructor(
    private readonly sink: (line: string) => void,
    header: Omit<CastHeader, 'version'>,
    private readonly options: { recordInput: boolean; maxBytes: number; now?: () => number },
  ) {
    this.started = this.now();
    this.emit(JSON.stringify({ version: 2, ...header, timestamp: header.timestamp ?? Math.floor(this.started / 1000) }));
  }

  output(data: string): void {
    this.event('o', data);
  }

  /** Dropped when the admin turned input recording off (passwords typed at a prompt). */
  input(data: string): void {
    if (this.options.recordInput) this.event('i', data);
  }

  resize(cols: number, rows: number): void {
    this.event('r', `${cols}x${rows}`);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private event(code: CastEvent[1], data: string): void {
    if (this.full || data.length === 0) return;
    const seconds = Math.max(this.last, (this.now() - this.started) / 1000);
    this.last = seconds;
    const line = castEventLine(seconds, code, data);
    if (this.bytes + line.length + 1 > this.options.maxBytes) {
      this.full = true;
      this.emit(castEventLine(seconds, 'm', `recording stopped: over ${this.options.maxBytes} bytes`));
      return;
    }
    this.emit(line);
  }

  private emit(line: string): void {
    this.bytes += Buffer.byteLength(line) + 1;
    this.sink(`${line}\n`);
  }
}
