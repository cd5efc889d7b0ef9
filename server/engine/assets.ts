// Custom assets per pod, as upstream's asset.go: the annotations
// com.github.containers.virtcontainers.{Kernel,Image,Initrd,Hypervisor,Firmware}Path override the
// configured VM assets, and a matching …Hash (SHA-512, hex) is checked against the file before the
// VM boots. Unlike upstream, a hash without a path annotation is not ignored: it checks the asset
// the pod would boot anyway (configured or the driver's default), and one that names no asset is
// refused. The paths are under the host-path allowlist like any configured path.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { EffectiveHypervisorConfig } from './effective-config.js';
import { EngineError } from './errors.js';
import type { HostPathField } from './host-paths.js';

export const ANNOTATION_PREFIX = 'com.github.containers.virtcontainers.';

export type AssetField = 'kernelPath' | 'imagePath' | 'initrdPath' | 'hypervisorPath' | 'firmwarePath';

const annotationsOf = (name: string) => ({ pathAnnotation: `${ANNOTATION_PREFIX}${name}Path`, hashAnnotation: `${ANNOTATION_PREFIX}${name}Hash`, name: name.toLowerCase() });

export const ASSETS: Record<AssetField, { pathAnnotation: string; hashAnnotation: string; name: string }> = {
  kernelPath: annotationsOf('Kernel'),
  imagePath: annotationsOf('Image'),
  initrdPath: annotationsOf('Initrd'),
  hypervisorPath: annotationsOf('Hypervisor'),
  firmwarePath: annotationsOf('Firmware'),
};
const FIELDS = Object.keys(ASSETS) as AssetField[];
const SHA512_HEX = /^[0-9a-fA-F]{128}$/;

const invalid = (annotation: string, message: string, extra: Record<string, unknown> = {}) => {
  const field = `annotations.${annotation}`;
  return new EngineError('INVALID_CONFIG', `${field}: ${message}`, { field, annotation, ...extra, issues: [{ path: ['annotations', annotation], message }] });
};

/** The asset paths the annotations set; an empty annotation sets nothing, as upstream. */
export function assetOverrides(annotations: Record<string, string>): Partial<Record<AssetField, string>> {
  const out: Partial<Record<AssetField, string>> = {};
  for (const field of FIELDS) {
    const p = annotations[ASSETS[field].pathAnnotation];
    if (p) out[field] = p;
  }
  return out;
}

/** For the allowlist: each path annotation, named as the field the caller wrote. Each must be a file. */
export function assetHostPaths(annotations: Record<string, string>): HostPathField[] {
  return FIELDS.flatMap((field) => {
    const p = annotations[ASSETS[field].pathAnnotation];
    return p ? [{ field: `annotations.${ASSETS[field].pathAnnotation}`, path: p, mustBe: 'file' as const }] : [];
  });
}

/** Cheap checks at the API boundary, before anything boots: a hash must look like a SHA-512. */
export function checkAssetAnnotations(annotations: Record<string, string>): void {
  for (const field of FIELDS) {
    const { hashAnnotation } = ASSETS[field];
    const hash = annotations[hashAnnotation];
    if (hash && !SHA512_HEX.test(hash)) throw invalid(hashAnnotation, 'must be a SHA-512 digest: 128 hexadecimal digits');
  }
}

/** Streams the file: a guest image is hundreds of MiB. */
export async function sha512File(path: string): Promise<string> {
  const hash = createHash('sha512');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/**
 * Before a boot: every …Hash annotation matches the asset the VM will boot from (the effective
 * config's). A mismatch, an unreadable asset or a hash with no asset to check is INVALID_CONFIG
 * naming the hash annotation. There is a window between this check and QEMU opening the file; the
 * allowlist's roots are the admin's, so whoever could swap the file could change the config too.
 */
export async function verifyAssets(effective: EffectiveHypervisorConfig, annotations: Record<string, string>): Promise<void> {
  checkAssetAnnotations(annotations);
  for (const field of FIELDS) {
    const { hashAnnotation, name } = ASSETS[field];
    const expected = annotations[hashAnnotation];
    if (!expected) continue;
    const path = effective[field].value;
    if (!path) throw invalid(hashAnnotation, `there is no ${name} to check: the pod's hypervisor boots none (set ${ASSETS[field].pathAnnotation})`);
    let computed: string;
    try {
      computed = await sha512File(path);
    } catch (err) {
      throw invalid(hashAnnotation, `cannot read the ${name} ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`, { path });
    }
    if (computed !== expected.toLowerCase()) {
      throw invalid(hashAnnotation, `the ${name} ${path} has SHA-512 ${computed}, not ${expected.toLowerCase()}`, { path, computed, expected: expected.toLowerCase() });
    }
  }
}
