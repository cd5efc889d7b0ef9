// Progress of long calls (server/engine/progress.ts) on the mock drivers: listeners hear every step
// in order with its duration, and the call's pod event keeps the durations.
import { describe, expect, it } from 'vitest';
import type { StepProgress } from '../../server/engine/index.js';
import { mockPod, testEngine } from '../helpers/engine.js';

const done = (heard: StepProgress[], call: string) => heard.filter((p) => p.call === call && p.phase === 'done');

describe('progress', () => {
  it('reports runPod, stopPod and deletePod steps in order with durations, and keeps them on the timeline', async () => {
    await using t = testEngine();
    const heard: StepProgress[] = [];
    const off = t.vc.onProgress((p) => heard.push(p));
    await t.vc.runPod(mockPod('prog', 1));
    expect(done(heard, 'createPod').map((p) => p.label)).toEqual(['network prepared', 'network connected', 'VM launched', 'agent ready', 'container c1 created', 'recorded']);
    expect(done(heard, 'startPod').map((p) => p.label)).toEqual(['container c1 started', 'recorded']);
    await t.vc.stopPod('prog');
    expect(done(heard, 'stopPod').map((p) => p.step)).toEqual(['agent.stopContainer:c1', 'agent.stopSandbox', 'hypervisor.stopVm', 'network.remove', 'store.commit:stopPod']);
    for (const p of heard) {
      expect(p.podId).toBe('prog');
      expect(p.durationMs).toBeGreaterThanOrEqual(0);
      expect(p.elapsedMs).toBeGreaterThanOrEqual(p.durationMs);
    }
    // Every step starts before it ends, and the next starts after.
    expect(heard.filter((p) => p.call === 'stopPod').map((p) => p.phase)).toEqual(Array(5).fill(['start', 'done']).flat());

    const events = await t.vc.listPodEvents('prog');
    const message = (call: string) => events.find((e) => e.call === call && e.containerId === null)?.message ?? '';
    expect(message('createPod')).toMatch(/^pod created with 1 container\(s\); steps: network prepared \d+\.\d s, network connected \d+\.\d s, VM launched \d+\.\d s, agent ready \d+\.\d s, container c1 created \d+\.\d s$/);
    expect(message('stopPod')).toMatch(/^pod stopped; steps: container c1 stopped \d+\.\d s, sandbox stopped .*network removed \d+\.\d s$/);

    await t.vc.deletePod('prog');
    expect(done(heard, 'deletePod').map((p) => p.label)).toEqual(['run directory removed', 'recorded']);
    off();
    await t.vc.runPod(mockPod('quiet', 0));
    expect(heard.some((p) => p.podId === 'quiet')).toBe(false);
  });

  it('a listener that throws does not fail the call', async () => {
    await using t = testEngine();
    t.vc.onProgress(() => {
      throw new Error('display broke');
    });
    expect((await t.vc.runPod(mockPod('robust', 1))).state()).toBe('running');
  });
});
