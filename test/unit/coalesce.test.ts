// coalesced(): concurrent callers share rounds, and nobody gets a round that began before its call.
import { describe, expect, it } from 'vitest';
import { coalesced } from '../../server/engine/coalesce.js';

/** A round whose end the test decides; `started` counts rounds, each resolving to its number. */
function controlledRounds() {
  const ends: (() => void)[] = [];
  let started = 0;
  const round = () => {
    const n = ++started;
    return new Promise<number>((resolve) => ends.push(() => resolve(n)));
  };
  return { round, ends, started: () => started };
}

describe('coalesced', () => {
  it('runs one round for a lone caller, and a fresh one for the next call after it ended', async () => {
    const r = controlledRounds();
    const list = coalesced(r.round);
    const a = list();
    r.ends.shift()!();
    expect(await a).toBe(1);
    const b = list();
    r.ends.shift()!();
    expect(await b).toBe(2);
  });

  it('gives callers that arrive during a round the next round, shared: ten callers, two rounds', async () => {
    const r = controlledRounds();
    const list = coalesced(r.round);
    const first = list();
    const later = Array.from({ length: 9 }, () => list());
    expect(r.started()).toBe(1); // the next round waits for the one in flight
    r.ends.shift()!();
    expect(await first).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.started()).toBe(2);
    r.ends.shift()!();
    expect(await Promise.all(later)).toEqual(Array(9).fill(2));
    expect(r.started()).toBe(2);
  });

  it('starts the next round after a failed one, and hands the failure only to its own callers', async () => {
    let n = 0;
    const list = coalesced(async () => {
      n++;
      if (n === 1) throw new Error('store down');
      return n;
    });
    const first = list();
    const second = list();
    await expect(first).rejects.toThrow('store down');
    expect(await second).toBe(2);
  });
});
