// Custom assets: which annotations override which path, the allowlist fields they make, and the
// SHA-512 check before boot (streamed, case-insensitive, refusals naming the hash annotation).
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assetHostPaths, assetOverrides, checkAssetAnnotations, sha512File, verifyAssets } from '../../server/engine/assets.js';
import { effectiveHypervisorConfig, type HypervisorDefaults } from '../../server/engine/effective-config.js';
import { PodConfigSchema } from '../../server/engine/types.js';

const A = 'com.github.containers.virtcontainers.';
const dir = mkdtempSync(path.join(tmpdir(), 'pv-assets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// Larger than a stream chunk (64 KiB), so that the digest covers more than one read.
const kernelBytes = randomBytes(300_000);
const kernel = path.join(dir, 'vmlinux');
writeFileSync(kernel, kernelBytes);
const kernelSha = createHash('sha512').update(kernelBytes).digest('hex');

const NO_ASSETS: HypervisorDefaults = {
  vcpus: 1, memoryMiB: 256, defaultBridges: 1, blockDeviceDriver: 'virtio-scsi', sharedFs: 'virtio-9p', machineType: 'pc',
  kernelPath: '', imagePath: '', initrdPath: '', hypervisorPath: '', firmwarePath: '',
};
const effective = (annotations: Record<string, string>, defaults = NO_ASSETS) => effectiveHypervisorConfig(PodConfigSchema.parse({ id: 'p', annotations }), defaults);
const refusal = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e);

describe('custom assets', () => {
  it('maps each …Path annotation to its asset and to an allowlist field that must be a file', () => {
    const annotations = { [`${A}KernelPath`]: '/k', [`${A}ImagePath`]: '/i', [`${A}InitrdPath`]: '/r', [`${A}HypervisorPath`]: '/q', [`${A}FirmwarePath`]: '', other: '/x' };
    expect(assetOverrides(annotations)).toEqual({ kernelPath: '/k', imagePath: '/i', initrdPath: '/r', hypervisorPath: '/q' });
    expect(assetHostPaths(annotations)).toEqual([
      { field: `annotations.${A}KernelPath`, path: '/k', mustBe: 'file' },
      { field: `annotations.${A}ImagePath`, path: '/i', mustBe: 'file' },
      { field: `annotations.${A}InitrdPath`, path: '/r', mustBe: 'file' },
      { field: `annotations.${A}HypervisorPath`, path: '/q', mustBe: 'file' },
    ]);
  });

  it('refuses a hash that is not a SHA-512 digest, naming the annotation', () => {
    for (const bad of ['abc', 'g'.repeat(128), createHash('sha256').update('x').digest('hex')]) {
      expect(() => checkAssetAnnotations({ [`${A}ImageHash`]: bad })).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG', details: expect.objectContaining({ field: `annotations.${A}ImageHash` }) }));
    }
    expect(() => checkAssetAnnotations({ [`${A}ImageHash`]: '' })).not.toThrow();
  });

  it('hashes a file streaming, as one SHA-512 of all of it', async () => {
    expect(await sha512File(kernel)).toBe(kernelSha);
  });

  it('accepts a matching hash in either case, refuses a mismatch with both digests', async () => {
    await verifyAssets(effective({ [`${A}KernelPath`]: kernel, [`${A}KernelHash`]: kernelSha.toUpperCase() }), {
      [`${A}KernelPath`]: kernel,
      [`${A}KernelHash`]: kernelSha.toUpperCase(),
    });
    const wrong = createHash('sha512').update('other').digest('hex');
    const annotations = { [`${A}KernelPath`]: kernel, [`${A}KernelHash`]: wrong };
    const err = await refusal(verifyAssets(effective(annotations), annotations));
    expect(err).toMatchObject({ code: 'INVALID_CONFIG', details: { field: `annotations.${A}KernelHash`, computed: kernelSha, expected: wrong, path: kernel } });
  });

  it('checks the asset the pod boots anyway when only a hash is given, and refuses a hash with nothing to check', async () => {
    const withDefault = { ...NO_ASSETS, kernelPath: kernel };
    await verifyAssets(effective({ [`${A}KernelHash`]: kernelSha }, withDefault), { [`${A}KernelHash`]: kernelSha });
    const none = { [`${A}FirmwareHash`]: kernelSha };
    expect(await refusal(verifyAssets(effective(none), none))).toMatchObject({ code: 'INVALID_CONFIG', details: { field: `annotations.${A}FirmwareHash` } });
    const missing = { [`${A}InitrdPath`]: path.join(dir, 'gone'), [`${A}InitrdHash`]: kernelSha };
    expect(await refusal(verifyAssets(effective(missing), missing))).toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringContaining('ENOENT') });
  });
});
