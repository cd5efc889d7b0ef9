// The asciicast v2 writer: header, event lines with monotonic times, input dropped when input
// recording is off, the size cap, and a round trip through the parser.
import { describe, expect, it } from 'vitest';
import { CastWriter, parseCast } from '../../server/terminal/asciicast.js';

function record(recordInput: boolean, maxBytes = 1 << 20) {
  const lines: string[] = [];
  let now = 1_700_000_000_000;
  const clock = { advance: (ms: number) => (now += ms), back: (ms: number) => (now -= ms) };
  const writer = new CastWriter((l) => lines.push(l), { width: 100, height: 30, title: 'sh' }, { recordInput, maxBytes, now: () => now });
  return { writer, lines, clock, text: () => lines.join('') };
}

describe('asciicast v2 writer', () => {
  it('writes the header, then [time, code, data] lines that the parser reads back', () => {
    const { writer, clock, lines, text } = record(true);
    clock.advance(250);
    writer.input('echo hi\r');
    clock.advance(1_000);
    writer.output('hi\r\n\u001b[1m$ \u001b[0m');
    writer.resize(120, 40);
    expect(lines[0]).toBe('{"version":2,"width":100,"height":30,"title":"sh","timestamp":1700000000}\n');
    expect(lines[1]).toBe('[0.25,"i","echo hi\\r"]\n');
    expect(lines[2]).toBe('[1.25,"o","hi\\r\\n\\u001b[1m$ \\u001b[0m"]\n');
    const { header, events } = parseCast(text());
    expect(header).toMatchObject({ version: 2, width: 100, height: 30 });
    expect(events).toEqual([
      [0.25, 'i', 'echo hi\r'],
      [1.25, 'o', 'hi\r\n\u001b[1m$ \u001b[0m'],
      [1.25, 'r', '120x40'],
    ]);
  });

  it('keeps no input when input recording is off, and never goes back in time', () => {
    const { writer, clock, text } = record(false);
    clock.advance(500);
    writer.input('s3cret\r');
    writer.output('ok');
    clock.back(400);
    writer.output('later');
    const { events } = parseCast(text());
    expect(events).toEqual([
      [0.5, 'o', 'ok'],
      [0.5, 'o', 'later'],
    ]);
    expect(text()).not.toContain('s3cret');
  });

  it('stops at the size cap with one marker event, and counts bytes as written', () => {
    const { writer, text } = record(true, 200);
    for (let i = 0; i < 20; i++) writer.output('y\n'.repeat(5));
    const { events } = parseCast(text());
    expect(events.at(-1)).toEqual([0, 'm', 'recording stopped: over 200 bytes']);
    expect(events.filter((e) => e[1] === 'm')).toHaveLength(1);
    expect(writer.bytes).toBe(Buffer.byteLength(text()));
  });

  it('refuses a file that is not asciicast v2', () => {
    expect(() => parseCast('{"version":1,"width":80,"height":24}\n')).toThrow();
    expect(() => parseCast('{"version":2,"width":80,"height":24}\n[1,"x","?"]\n')).toThrow();
  });
});
