// Serialises mutating calls on one pod across processes (the CLI and the console server may act
// on the same pod at once). A lock held by a process that died goes stale and is taken over.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { EngineError } from './errors.js';

export type Release = () => Promise<void>;

export class PodLocks {
  constructor(
    private readonly dir: string,
    private readonly waitMs: number,
    /** A lock not refreshed for this long belongs to a dead process (proper-lockfile's minimum is 2 s). */
    private readonly staleMs = 20_000,
  ) {
    mkdirSync(dir, { recursive: true });
  }

  /** Waits up to the configured time for the pod's lock; POD_BUSY after that. */
  async acquire(podId: string, waitMs = this.waitMs): Promise<Release> {
    const file = path.join(this.dir, podId);
    const deadline = Date.now() + waitMs;
    for (let delay = 20; ; delay = Math.min(delay * 2, 250)) {
      try {
        const release = await lockfile.lock(file, {
          realpath: false,
          stale: this.staleMs,
          update: this.staleMs / 4,
          // A lost lock (our process stalled past staleMs) cannot be undone mid-call; say so in the log.
          onCompromised: (err) => console.error(`podvisor: lock on pod "${podId}" compromised: ${err.message}`),
        });
        return async () => {
          await release().catch(() => {});
        };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
        if (Date.now() + delay > deadline) {
          throw new EngineError('POD_BUSY', `Pod "${podId}" is busy with another call; try again`, { podId });
        }
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }
}
