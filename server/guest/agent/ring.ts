// Bounded buffer of a process's recent output, addressed by absolute stream offset, so a host
// client that attaches late (or reattaches after a restart) still gets what it missed.
export class OutputRing {
  private chunks: Buffer[] = [];
  private bytes = 0;
  /** Stream offset of the first byte still held. */
  private start = 0;

  constructor(private readonly capacity = 256 * 1024) {}

  /** Total bytes ever appended; the offset the next chunk starts at. */
  get end(): number {
    return this.start + this.bytes;
  }

  /** Appends and returns the offset of the chunk's first byte. */
  append(chunk: Buffer): number {
    const offset = this.end;
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    while (this.bytes > this.capacity && this.chunks.length > 1) {
      const dropped = this.chunks.shift()!;
      this.bytes -= dropped.length;
      this.start += dropped.length;
    }
    return offset;
  }

  /** What is still held from `offset` on; the returned offset is later when older bytes were dropped. */
  readFrom(offset: number): { offset: number; data: Buffer } {
    const from = Math.min(Math.max(offset, this.start), this.end);
    const all = Buffer.concat(this.chunks);
    return { offset: from, data: all.subarray(from - this.start) };
  }
}
