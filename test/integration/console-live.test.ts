// The console's live steps, live changes and /metrics over the real HTTP API (mock drivers): progress.watch hears
// a RunPod's steps as they happen and replays them to a late subscriber; live.changes gives every
// page the generation, then another process's change; /metrics answers a viewer's API token in the
// Prometheus text format and refuses anyone else.
import { describe, expect, it } from 'vitest';
import { createCaller } from '../../server/api/root.js';
import { changeWatcherOf } from '../../server/live/change-watcher.js';
import { principalOf, testConsole } from '../helpers/console.js';
import { mockPod } from '../helpers/engine.js';

type Step = { podId: string; call: string; step: string; phase: string; seq: number };

/** Reads the subscription until `until` holds for a step, then stops it. */
async function collect(iterable: AsyncIterable<Step>, until: (s: Step) => boolean): Promise<Step[]> {
  const heard: Step[] = [];
  for await (const step of iterable) {
    heard.push(step);
    if (until(step)) break;
  }
  return heard;
}

const startCommitted = (s: Step) => s.step === 'store.commit:startPod' && s.phase === 'done';

describe('progress.watch', () => {
  it('streams a RunPod step by step, then replays it to a page that opens later', async () => {
    await using c = await testConsole();
    const caller = createCaller(c.contextAs(principalOf('viewer')));
    const live = await caller.progress.watch({ podId: 'w1', replay: false });
    const heard = collect(live as AsyncIterable<Step>, startCommitted);
    // The subscription is registered when the generator first runs: give it that turn.
    await new Promise((r) => setImmediate(r));
    await c.t.vc.runPod(mockPod('w1', 1));
    const steps = await heard;
    expect(steps.filter((s) => s.phase === 'done').map((s) => s.step)).toEqual([
      'network.prepare',
      'network.connect',
      'hypervisor.startVm',
      'agent.startSandbox',
      'agent.createContainer:c1',
      'store.commit:createPod',
      'agent.startContainer:c1',
      'store.commit:startPod',
    ]);
    expect(steps.every((s) => s.podId === 'w1')).toBe(true);
    expect(steps.map((s) => s.seq)).toEqual([...steps.map((s) => s.seq)].sort((a, b) => a - b));

    const late = await collect((await caller.progress.watch({ podId: 'w1' })) as AsyncIterable<Step>, startCommitted);
    expect(late.map((s) => s.seq)).toEqual(steps.map((s) => s.seq));
    // Another pod's steps never reach this pod's watchers.
    await c.t.vc.runPod(mockPod('other', 0));
    const again = await collect((await caller.progress.watch({ podId: 'w1' })) as AsyncIterable<Step>, startCommitted);
    expect(again.every((s) => s.podId === 'w1')).toBe(true);
  });

  it('is closed to anonymous callers', async () => {
    await using c = await testConsole();
    const anonymous = createCaller(c.contextAs(null));
    await expect(anonymous.progress.watch({ podId: 'x' })).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });
});

describe('live.changes', () => {
  it("gives each page the store's generation, then a change made by another process, from the engine's one watcher", async () => {
    await using c = await testConsole();
    const caller = createCaller(c.contextAs(principalOf('viewer')));
    const [a, b] = [await caller.live.changes(), await caller.live.changes()].map((s) => (s as AsyncIterable<number>)[Symbol.asyncIterator]());
    const [first, second] = await Promise.all([a!.next(), b!.next()]);
    expect(first.value).toBe(second.value);
    const changed = Promise.all([a!.next(), b!.next()]);
    await c.t.open().runPod(mockPod('g1', 1)); // another engine on the same database: the CLI, say
    for (const r of await changed) expect(r.value).toBeGreaterThan(first.value as number);
    await Promise.all([a!.return?.(), b!.return?.()]);
    expect(changeWatcherOf(c.t.vc).size).toBe(0);
  });
});

describe('/metrics', () => {
  it("answers a viewer's API token in the Prometheus text format, and refuses without one", async () => {
    await using c = await testConsole();
    await c.t.vc.runPod(mockPod('m1', 1));
    const viewer = await c.login('viewer');
    const { data } = await c.mutate('tokens.create', { name: 'prom', role: 'viewer' }, { login: viewer });
    const { token } = data as { token: string };

    const scrape = (headers: Record<string, string> = {}) => fetch(`${c.origin}/metrics`, { headers });
    const ok = await scrape({ authorization: `Bearer ${token}` });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await ok.text();
    expect(text).toContain('# TYPE podvisor_pods gauge');
    expect(text).toContain('podvisor_pods{state="running"} 1');
    expect(text).toMatch(/^podvisor_host_memory_available_bytes [1-9]\d*$/m);

    const none = await scrape();
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await scrape({ authorization: `Bearer ${token}x` })).status).toBe(401);
    await c.mutate('tokens.revoke', { id: (data as { view: { id: string } }).view.id }, { login: viewer });
    expect((await scrape({ authorization: `Bearer ${token}` })).status).toBe(401);
    expect((await fetch(`${c.origin}/metrics`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).status).toBe(405);
  });
});
