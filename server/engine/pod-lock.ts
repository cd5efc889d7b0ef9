// Serialises mutating calls on one pod across processes (the CLI and the console server may act
// on the same pod at once). A lock held by a process that died goes stale and is taken over.
import { mkdirSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
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

  /** Pods whose lock is held now, split into held by a live call (`busy`) and left by a dead one (`stale`). */
  async held(): Promise<{ busy: string[]; stale: string[] }> {
    const busy: string[] = [];
    const stale: string[] = [];
    // proper-lockfile's lock is the directory <file>.lock, its mtime refreshed while the holder lives.
    for (const name of (await readdir(this.dir).catch(() => [] as string[])).filter((n) => n.endsWith('.lock'))) {
      const info = await stat(path.join(this.dir, name)).catch(() => null);
      if (info) (Date.now() - info.mtimeMs > this.staleMs ? stale : busy).push(name.slice(0, -'.lock'.length));
    }
    return { busy, stale };
  }

  /** Takes a stale lock over (proper-lockfile does, on acquire) and releases it again. */
  async takeOver(podId: string): Promise<void> {
    await (await this.acquire(podId, 0))();
  }
}
