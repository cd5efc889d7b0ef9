// The shared change watcher with a hand-stepped clock: one poller whatever the number of
// subscribers, none once they all left, each subscriber the current generation then each change,
// nothing more for one that left, a failed read ending the subscriptions.
import { describe, expect, it } from 'vitest';
import { ChangeWatcher, type Schedule } from '../../server/live/change-watcher.js';

/** A clock that fires only when told, and a store generation that counts its reads. */
function harness() {
  const timers = new Set<() => void>();
  const schedule: Schedule = (fn) => {
    timers.add(fn);
    return () => timers.delete(fn);
  };
  const store = { generation: 1, reads: 0, fail: null as Error | null };
  const watcher = new ChangeWatcher({
    read: async () => {
      store.reads++;
      if (store.fail) throw store.fail;
      return store.generation;
    },
    schedule,
  });
  /** Lets every pending read and hand-off run. */
  const settle = () => new Promise((r) => setImmediate(r));
  /** Fires the due timers (the next poll), then lets it finish. */
  const tick = async () => {
    const due = [...timers];
    timers.clear();
    for (const fn of due) fn();
    await settle();
  };
  return { watcher, store, timers, settle, tick };
}

/** Starts iterating, as tRPC does when a client subscribes; `next()` collects each value. */
function subscribe(watcher: ChangeWatcher) {
  const abort = new AbortController();
  const it = watcher.changes(abort.signal);
  return { it, abort, next: () => it.next() };
}

describe('ChangeWatcher', () => {
  it('serves N subscribers from one poller: the current generation first, then each change, to all', async () => {
    const h = harness();
    const subs = Array.from({ length: 5 }, () => subscribe(h.watcher));
    const firsts = subs.map((s) => s.next());
    await h.settle();
    expect(await Promise.all(firsts)).toEqual(subs.map(() => ({ value: 1, done: false })));
    expect(h.store.reads).toBe(1);
    expect(h.timers.size).toBe(1);

    const seconds = subs.map((s) => s.next());
    await h.tick(); // unchanged: nobody hears anything
    h.store.generation = 2;
    await h.tick();
    expect(await Promise.all(seconds)).toEqual(subs.map(() => ({ value: 2, done: false })));
    expect(h.store.reads).toBe(3);
    expect(h.timers.size).toBe(1);

    // A late subscriber gets the current generation without a read of its own.
    const late = subscribe(h.watcher);
    expect(await late.next()).toEqual({ value: 2, done: false });
    expect(h.store.reads).toBe(3);
    for (const s of [...subs, late]) s.abort.abort();
  });

  it('polls only while someone listens, and reads afresh for the next one', async () => {
    const h = harness();
    expect(h.store.reads).toBe(0);
    const a = subscribe(h.watcher);
    await a.next();
    const pending = a.next();
    a.abort.abort();
    expect(await pending).toEqual({ value: undefined, done: true });
    expect(h.watcher.size).toBe(0);
    expect(h.timers.size).toBe(0);
    const reads = h.store.reads;
    await h.tick();
    expect(h.store.reads).toBe(reads);

    h.store.generation = 7;
    const b = subscribe(h.watcher);
    expect(await b.next()).toEqual({ value: 7, done: false });
    expect(h.timers.size).toBe(1);
    b.abort.abort();
  });

  it('keeps one poller when the last subscriber leaves and a new one comes during a read', async () => {
    const h = harness();
    const a = subscribe(h.watcher);
    const first = a.next(); // starts the read; not settled yet
    a.abort.abort();
    await first;
    const b = subscribe(h.watcher);
    const bFirst = b.next();
    await h.settle();
    expect(await bFirst).toEqual({ value: 1, done: false });
    expect(h.timers.size).toBe(1);
    await h.tick();
    await h.tick();
    expect(h.timers.size).toBe(1);
    b.abort.abort();
  });

  it('sends nothing more to a subscriber that left, and the others still hear changes', async () => {
    const h = harness();
    const [a, b] = [subscribe(h.watcher), subscribe(h.watcher)];
    await Promise.all([a.next(), b.next()]);
    await a.it.return();
    expect(h.watcher.size).toBe(1);
    h.store.generation = 3;
    const bNext = b.next();
    await h.tick();
    expect(await bNext).toEqual({ value: 3, done: false });
    expect(await a.next()).toEqual({ value: undefined, done: true });
    b.abort.abort();
  });

  it('ends every subscription with a failed read, then stops polling', async () => {
    const h = harness();
    const a = subscribe(h.watcher);
    await a.next();
    h.store.fail = new Error('store down');
    const refused = expect(a.next()).rejects.toThrow('store down');
    await h.tick();
    await refused;
    expect(h.watcher.size).toBe(0);
    await h.tick();
    expect(h.timers.size).toBe(0);
  });
});
