// Custom assets per pod on the mock hypervisor and a real SQLite store: the annotations override the
// VM's paths (pod status shows them with their source), a …Hash annotation is checked before every
// boot, and the paths are under the host-path allowlist, at create and when annotations are set.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mockPod, testEngine } from '../helpers/engine.js';

const A = 'com.github.containers.virtcontainers.';
const sha512 = (data: string) => createHash('sha512').update(data).digest('hex');
const refusal = (p: Promise<unknown>) => p.then(() => ({ code: 'ACCEPTED' }) as const, (e: { code: string; message: string; details?: Record<string, unknown> }) => e);

describe('custom assets (mock hypervisor)', () => {
  it('boots with a matching KernelHash and shows the annotated kernel as the effective one', async () => {
    await using t = testEngine();
    const kernel = path.join(t.dir, 'vmlinux');
    writeFileSync(kernel, 'a kernel');
    await t.vc.runPod({ ...mockPod('k'), annotations: { [`${A}KernelPath`]: kernel, [`${A}KernelHash`]: sha512('a kernel') } });
    const status = await t.vc.statusPod('k');
    expect(status.state).toBe('running');
    expect(status.effectiveHypervisorConfig.kernelPath).toEqual({ value: kernel, source: `annotations.${A}KernelPath` });
    expect(status.hypervisorConfig.kernelPath).toBe(''); // the configured value is kept as given
  });

  it('refuses a KernelHash mismatch with INVALID_CONFIG naming the annotation, leaving no pod, run dir or lock', async () => {
    await using t = testEngine();
    const kernel = path.join(t.dir, 'vmlinux');
    writeFileSync(kernel, 'a kernel');
    const err = await refusal(t.vc.runPod({ ...mockPod('k'), annotations: { [`${A}KernelPath`]: kernel, [`${A}KernelHash`]: sha512('another kernel') } }));
    expect(err).toMatchObject({ code: 'INVALID_CONFIG', details: { field: `annotations.${A}KernelHash`, computed: sha512('a kernel') } });
    expect(err).toMatchObject({ message: expect.stringContaining(`${A}KernelHash`) });
    expect(await t.vc.listPod()).toEqual([]);
    for (const sub of ['run', 'locks']) expect(existsSync(path.join(t.dir, sub)) ? readdirSync(path.join(t.dir, sub)) : []).toEqual([]);
  });

  it('checks the hash again when a stopped pod boots: a file changed since is refused', async () => {
    await using t = testEngine();
    const image = path.join(t.dir, 'image.erofs');
    writeFileSync(image, 'image v1');
    await t.vc.runPod({ ...mockPod('i'), annotations: { [`${A}ImagePath`]: image, [`${A}ImageHash`]: sha512('image v1') } });
    await t.vc.stopPod('i');
    writeFileSync(image, 'image v2');
    expect(await refusal(t.vc.startPod('i'))).toMatchObject({ code: 'INVALID_CONFIG', details: { field: `annotations.${A}ImageHash` } });
    expect((await t.vc.statusPod('i')).state).toBe('stopped');
    writeFileSync(image, 'image v1');
    expect((await t.vc.startPod('i')).state()).toBe('running');
  });

  it('puts asset annotations under the allowlist, at create and when set later', async () => {
    await using t = testEngine();
    const outside = path.join(tmpdir(), `pv-outside-kernel-${process.pid}`);
    writeFileSync(outside, 'k');
    try {
      const err = await refusal(t.vc.createPod({ ...mockPod('o'), annotations: { [`${A}KernelPath`]: outside } }));
      expect(err).toMatchObject({ code: 'PERMISSION_DENIED', details: { field: `annotations.${A}KernelPath`, path: outside } });
      expect(await refusal(t.vc.createPod({ ...mockPod('o'), annotations: { [`${A}HypervisorPath`]: 'qemu' } }))).toMatchObject({ code: 'INVALID_CONFIG', details: { field: `annotations.${A}HypervisorPath` } });
      expect(await refusal(t.vc.createPod({ ...mockPod('o'), annotations: { [`${A}InitrdPath`]: t.dir } }))).toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringContaining('is not a file') });
      expect(await refusal(t.vc.createPod({ ...mockPod('o'), annotations: { [`${A}InitrdHash`]: 'nope' } }))).toMatchObject({ code: 'INVALID_CONFIG', details: { field: `annotations.${A}InitrdHash` } });
      const pod = await t.vc.createPod(mockPod('o'));
      expect(await refusal(pod.setAnnotations({ [`${A}FirmwarePath`]: outside }))).toMatchObject({ code: 'PERMISSION_DENIED', details: { field: `annotations.${A}FirmwarePath` } });
      expect((await t.vc.statusPod('o')).annotations).toEqual({});
    } finally {
      (await import('node:fs')).rmSync(outside, { force: true });
    }
  });

  it("shows the mock driver's defaults as the effective configuration, each with its source", async () => {
    await using t = testEngine();
    await t.vc.createPod({ ...mockPod('d'), vmConfig: { vcpus: 2 }, hypervisorConfig: { defaultMemSz: 512, sharedFs: 'virtio-9p' } });
    const e = (await t.vc.statusPod('d')).effectiveHypervisorConfig;
    expect(e.vcpus).toEqual({ value: 2, source: 'vmConfig.vcpus' });
    expect(e.memoryMiB).toEqual({ value: 512, source: 'hypervisorConfig.defaultMemSz' });
    expect(e.sharedFs).toEqual({ value: 'virtio-9p', source: 'hypervisorConfig.sharedFs' });
    expect(e.defaultBridges).toEqual({ value: 1, source: 'default' });
    expect(e.machineType).toEqual({ value: 'pc', source: 'default' });
    expect(e.kernelPath).toEqual({ value: '', source: 'default' }); // the mock boots no kernel
  });
});
