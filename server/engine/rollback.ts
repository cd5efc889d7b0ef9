// An undo stack for multi-step operations: each step that changes the world registers how to
// undo it; on failure the undos run newest first, and their own failures are only logged.
import type { Logger } from 'pino';

export class Rollback {
  private readonly undos: { what: string; undo: () => Promise<unknown> }[] = [];

  constructor(private readonly log: Logger) {}

  onFailure(what: string, undo: () => Promise<unknown>): void {
    this.undos.push({ what, undo });
  }

  async run(): Promise<void> {
    for (const { what, undo } of this.undos.reverse()) {
      await undo().catch((err: unknown) => this.log.error({ err }, `rollback: could not ${what}`));
    }
    this.undos.length = 0;
  }

  /** Runs `fn`; if it throws, undoes what it registered and rethrows. */
  static async guard<T>(log: Logger, fn: (rb: Rollback) => Promise<T>): Promise<T> {
    const rb = new Rollback(log);
    try {
      return await fn(rb);
    } catch (err) {
      await rb.run();
      throw err;
    }
  }
}
