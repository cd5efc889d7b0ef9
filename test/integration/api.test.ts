// The tRPC routers over the engine (mock/noop drivers): inputs are validated by the shared zod
// schemas and engine errors reach the caller with their code.
import { describe, expect, it } from 'vitest';
import { createCaller } from '../../server/api/root.js';
import { principalOf, testConsole } from '../helpers/console.js';
import { mockPod } from '../helpers/engine.js';

const failure = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: { code: string; cause?: { code?: string }; message: string }) => ({ trpc: e.code, engine: e.cause?.code, message: e.message }),
  );

describe('tRPC routers', () => {
  it('drive the pod and container lifecycle', async () => {
    await using c = await testConsole();
    const api = createCaller(c.contextAs(principalOf('operator')));
    expect(await api.pod.run(mockPod('web', 1))).toBe('web');
    expect((await api.pod.list()).map((p) => [p.id, p.state])).toEqual([['web', 'running']]);
    expect(await api.pod.pause({ podId: 'web' })).toBe('paused');
    expect(await api.pod.resume({ podId: 'web' })).toBe('running');
    expect(await api.container.enter({ podId: 'web', containerId: 'c1', cmd: { args: ['true'] } })).toMatchObject({ pid: 1000 });
    expect(await api.container.kill({ podId: 'web', containerId: 'c1', signal: 'SIGTERM' })).toBe(true);
    expect(await api.container.processList({ podId: 'web', containerId: 'c1' })).toBe('');
    expect(await api.container.stop({ podId: 'web', containerId: 'c1' })).toBe('stopped');
    expect(await api.container.delete({ podId: 'web', containerId: 'c1' })).toBe('c1');
    expect(await api.pod.setAnnotations({ podId: 'web', annotations: { owner: 'ops' } })).toEqual({ owner: 'ops' });
    expect(await api.pod.stop({ podId: 'web' })).toBe('stopped');
    expect((await api.pod.events({ podId: 'web' })).length).toBeGreaterThan(5);
    expect(await api.pod.delete({ podId: 'web' })).toBe('web');
  });

  it('map engine errors to tRPC codes, keeping the engine code', async () => {
    await using c = await testConsole();
    const api = createCaller(c.contextAs(principalOf('operator')));
    expect(await failure(api.pod.start({ podId: 'ghost' }))).toMatchObject({ trpc: 'NOT_FOUND', engine: 'POD_NOT_FOUND' });
    await api.pod.run(mockPod('web', 1));
    expect(await failure(api.pod.start({ podId: 'web' }))).toMatchObject({ trpc: 'PRECONDITION_FAILED', engine: 'INVALID_STATE' });
    expect(await failure(api.pod.run(mockPod('web', 1)))).toMatchObject({ trpc: 'CONFLICT', engine: 'POD_EXISTS' });
    // A field the engine cannot honour (every driver type has a driver now): refused before anything is made.
    const enlightened = { ...mockPod('x', 1), networkModel: 'CNI', networkConfig: { interworkingModel: 'enlightened' } } as const;
    expect(await failure(api.pod.run(enlightened))).toMatchObject({ trpc: 'NOT_IMPLEMENTED', engine: 'NOT_SUPPORTED' });
  });

  it('reject bad input naming the field', async () => {
    await using c = await testConsole();
    const api = createCaller(c.contextAs(principalOf('operator')));
    const bad = await failure(api.pod.run({ id: 'x', vmConfig: { memory: -1 } } as never));
    expect(bad?.trpc).toBe('BAD_REQUEST');
    expect(bad?.message).toContain('memory');
  });
});
