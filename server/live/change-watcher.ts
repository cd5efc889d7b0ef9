// One poller of the store's generation per engine, however many pages are open: every SSE
// subscriber of live.changes listens here instead of polling the store on its own. It polls only
// while someone listens, and each subscriber gets the current generation first, then each change.
import type { VC } from '../engine/index.js';

/** Runs `fn` once after `ms`; returns what cancels it. Injected so tests step the clock by hand. */
export type Schedule = (fn: () => void, ms: number) => () => void;

export interface ChangeWatcherOptions {
  read: () => Promise<number>;
  intervalMs?: number;
  schedule?: Schedule;
}

const realSchedule: Schedule = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  timer.unref();
  return () => clearTimeout(timer);
};

interface Subscriber {
  /** The newest generation this subscriber has not seen yet; only the latest matters, so it is not a queue. */
  pending: number | null;
  /** A failed read (the store down) ends every subscription with it, as one poller per page did; clients reconnect. */
  failed: { err: unknown } | null;
  wake: (() => void) | null;
}

export class ChangeWatcher {
  private readonly subscribers = new Set<Subscriber>();
  private last: number | null = null;
  /** A read in flight, or the timer of the next one: at most one of each, so one poller. */
  private reading = false;
  private cancel: (() => void) | null = null;
  private readonly intervalMs: number;
  private readonly schedule: Schedule;

  constructor(private readonly opts: ChangeWatcherOptions) {
    this.intervalMs = opts.intervalMs ?? 500;
    this.schedule = opts.schedule ?? realSchedule;
  }

  /** How many subscribers listen now (for tests and diagnostics). */
  get size(): number {
    return this.subscribers.size;
  }

  /** The current generation, then each new one, until `signal` aborts. */
  async *changes(signal?: AbortSignal): AsyncGenerator<number, void, undefined> {
    const sub: Subscriber = { pending: this.last, failed: null, wake: null };
    this.subscribers.add(sub);
    if (!this.reading && !this.cancel) void this.poll();
    const onAbort = () => sub.wake?.();
    signal?.addEventListener('abort', onAbort);
    try {
      while (!signal?.aborted) {
        if (sub.failed) throw sub.failed.err;
        if (sub.pending === null) {
          await new Promise<void>((resolve) => (sub.wake = resolve));
          sub.wake = null;
          continue;
        }
        const generation = sub.pending;
        sub.pending = null;
        yield generation;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.leave(sub);
    }
  }

  private leave(sub: Subscriber): void {
    this.subscribers.delete(sub);
    if (this.subscribers.size > 0) return;
    // The last one left: no timer stays behind (a read in flight does not reschedule), and a
    // later subscriber does not get a generation from before it came.
    this.cancel?.();
    this.cancel = null;
    this.last = null;
  }

  private async poll(): Promise<void> {
    this.reading = true;
    this.cancel = null;
    try {
      const generation = await this.opts.read();
      if (generation !== this.last && this.subscribers.size > 0) {
        this.last = generation;
        for (const sub of this.subscribers) {
          sub.pending = generation;
          sub.wake?.();
        }
      }
    } catch (err) {
      for (const sub of this.subscribers) {
        sub.failed = { err };
        sub.wake?.();
      }
    } finally {
      this.reading = false;
    }
    // Everyone may have left while the read was in flight.
    if (this.subscribers.size === 0) return;
    this.cancel = this.schedule(() => void this.poll(), this.intervalMs);
  }
}

const watchers = new WeakMap<object, ChangeWatcher>();

/** The one watcher of an engine (the console builds a tRPC context per request, the watcher outlives them). */
export function changeWatcherOf(engine: Pick<VC, 'generation'>): ChangeWatcher {
  let watcher = watchers.get(engine);
  if (!watcher) {
    watcher = new ChangeWatcher({ read: () => engine.generation() });
    watchers.set(engine, watcher);
  }
  return watcher;
}
