// The guest end of the virtio-serial port as a Channel. While no host is connected, read()
// returns 0 at once: that is a reset (partial frames are void), not the end; we back off and retry.
import { open, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChannelBase } from '../protocol/channel.js';

/**
 * How long to wait before looking again while no host is connected: 5 ms at first, doubling to 50.
 * A clone resumes at the moment its template's host let go, so its new host is seen within ~5 ms
 * instead of up to 50; an idle port settles to 20 reads a second.
 */
const IDLE_BACKOFF_FIRST_MS = 5;
const IDLE_BACKOFF_MAX_MS = 50;
const READ_BYTES = 64 * 1024;

export class PortChannel extends ChannelBase {
  private writes: Promise<void> = Promise.resolve();
  private hostPresent = false;

  private constructor(private readonly handle: FileHandle) {
    super();
    void this.readLoop();
  }

  /** Opens the port, retrying while it is missing or still held (EBUSY) by a dying predecessor. */
  static async open(path: string, timeoutMs = 30_000): Promise<PortChannel> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        return new PortChannel(await open(path, 'r+'));
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if ((code !== 'EBUSY' && code !== 'ENOENT') || Date.now() > deadline) throw err;
        await sleep(200);
      }
    }
  }

  /** Writes are serialized so frames never interleave; they block while no host is connected. */
  write(data: Buffer): Promise<void> {
    const next = this.writes.then(async () => {
      for (let done = 0; done < data.length; ) done += (await this.handle.write(data, done, data.length - done, null)).bytesWritten;
    });
    this.writes = next.catch(() => {});
    return next;
  }

  protected shutdown(): void {
    void this.handle.close();
  }

  private async readLoop(): Promise<void> {
    const buffer = Buffer.alloc(READ_BYTES);
    let backoffMs = IDLE_BACKOFF_FIRST_MS;
    while (!this.isClosed) {
      const { bytesRead } = await this.handle.read(buffer, 0, buffer.length, null);
      if (bytesRead > 0) {
        this.hostPresent = true;
        backoffMs = IDLE_BACKOFF_FIRST_MS;
        this.emitData(Buffer.from(buffer.subarray(0, bytesRead)));
        continue;
      }
      if (this.hostPresent) {
        this.hostPresent = false;
        this.emitReset();
      }
      await sleep(backoffMs);
      backoffMs = Math.min(backoffMs * 2, IDLE_BACKOFF_MAX_MS);
    }
  }
}
