// The engine's template calls without a VM (the real ones are in test/vm/templates.test.ts): the
// switch, an empty list, refusals with their codes, and the mock hypervisor booting as it always did.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { templateSettings } from '../../server/engine/templates/types.js';
import { mockPod, testEngine, type TestEngine } from '../helpers/engine.js';

let t: TestEngine | null = null;
afterEach(async () => {
  await t?.[Symbol.asyncDispose]();
  t = null;
});

describe('template settings', () => {
  it('are on by default, off with PODVISOR_TEMPLATES=off, and kept next to the run root', () => {
    const saved = process.env['PODVISOR_TEMPLATES'];
    try {
      delete process.env['PODVISOR_TEMPLATES'];
      expect(templateSettings('/run/podvisor/')).toEqual({ enabled: true, dir: '/run/podvisor-templates' });
      process.env['PODVISOR_TEMPLATES'] = 'off';
      expect(templateSettings('/run/podvisor').enabled).toBe(false);
      expect(templateSettings('/run/podvisor', { enabled: true, dir: '/x' })).toEqual({ enabled: true, dir: '/x' });
    } finally {
      if (saved === undefined) delete process.env['PODVISOR_TEMPLATES'];
      else process.env['PODVISOR_TEMPLATES'] = saved;
    }
  });
});

describe('template calls', () => {
  it('list nothing before any build, also ignoring what is not a template', async () => {
    t = testEngine();
    expect(await t.vc.listTemplates()).toEqual([]);
    mkdirSync(path.join(t.dir, 'run-templates', '.build-x'), { recursive: true });
    expect(await t.vc.listTemplates()).toEqual([]);
  });

  it('refuse an unknown key, and a build for a pod that would not be cloned, saying why', async () => {
    t = testEngine();
    await expect(t.vc.removeTemplate('0123456789abcdef')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: 'no template 0123456789abcdef' });
    await expect(t.vc.buildTemplate(mockPod('m'))).rejects.toMatchObject({ code: 'NOT_SUPPORTED', message: expect.stringContaining('mock has no templates') });
    const virtioFs = { id: 'q', hypervisorType: 'qemu', agentType: 'kata', proxyType: 'kataProxy', shimType: 'kataShim', hypervisorConfig: { sharedFs: 'virtio-fs' } } as const;
    await expect(t.vc.buildTemplate(virtioFs)).rejects.toMatchObject({ code: 'NOT_SUPPORTED', message: expect.stringMatching(/vhost-user-fs blocks migration|virtio-fs needs/) });
    expect(await t.vc.listTemplates()).toEqual([]);
  });

  it('leave mock pods booting as before', async () => {
    t = testEngine();
    await t.vc.runPod(mockPod('m'));
    const events = await t.vc.listPodEvents('m');
    expect(events.some((e) => e.message.includes('VM launched'))).toBe(true);
    expect(events.some((e) => /template|cloned|cold-booted/.test(e.message))).toBe(false);
  });
});
