// The host-path allowlist. Every host path an API call names (root filesystems, volumes, mount
// sources, devices, hooks, the VM's kernel, images, firmware and QEMU binary, the network namespace)
// must resolve, symlinks followed, to an allowed root or below one. Checked after validation and
// before a call does anything; a path left empty means the driver's default and is not checked.
// A path that resolves to a device node is judged by the device allowlist instead (glob patterns,
// host-devices.ts): a directory root never lets a device through, however wide it is.
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from './errors.js';
import { allowedDevices } from './host-devices.js';
import type { ContainerConfig, Mount, PodConfig } from './types.js';

/** The store key of the admin's list (JSON array of absolute, realpath'd directories). */
export const HOST_PATH_ROOTS_SETTING = 'hostPathRoots';

export interface HostPathField {
  /** Where the path sits in the config, spelt as zod spells issue paths: `containers.0.rootFs`. */
  field: string;
  path: string;
  /**
   * Hooks, VM assets and root filesystems must also exist, as a file or a directory. `rootfs`: a
   * directory, or a disk image file or block device (hotplugged, storage.ts); `block`: an image
   * file or a block device; `device`: a character device or FIFO (deviceInfos of type c, u, p).
   */
  mustBe: 'file' | 'directory' | 'rootfs' | 'block' | 'device' | null;
}

const HYPERVISOR_FILES = ['kernelPath', 'imagePath', 'initrdPath', 'firmwarePath', 'hypervisorPath'] as const;
const HOOK_KINDS = ['preStartHooks', 'postStartHooks', 'postStopHooks'] as const;
/**
 * A source is a host path when it looks like one; `tmpfs`, `proc`… are labels, and a bind source
 * without a '/' names a volume (storage.ts checks that it does).
 */
const sourceIsPath = (m: Mount) => m.source.includes('/');

export function containerHostPaths(c: ContainerConfig, prefix = ''): HostPathField[] {
  const fields: HostPathField[] = [{ field: `${prefix}rootFs`, path: c.rootFs, mustBe: 'rootfs' }];
  c.mounts.forEach((m, i) => {
    if (sourceIsPath(m)) fields.push({ field: `${prefix}mounts.${i}.source`, path: m.source, mustBe: null });
    if (m.hostPath) fields.push({ field: `${prefix}mounts.${i}.hostPath`, path: m.hostPath, mustBe: null });
  });
  c.deviceInfos.forEach((d, i) => {
    if (d.hostPath) fields.push({ field: `${prefix}deviceInfos.${i}.hostPath`, path: d.hostPath, mustBe: d.devType === 'b' ? 'block' : 'device' });
  });
  return fields;
}

/** Every host path of a pod config, its containers' included. */
export function podHostPaths(pod: PodConfig): HostPathField[] {
  const fields: HostPathField[] = [];
  for (const key of HYPERVISOR_FILES) {
    const p = pod.hypervisorConfig[key];
    if (p) fields.push({ field: `hypervisorConfig.${key}`, path: p, mustBe: 'file' });
  }
  if (pod.networkConfig.netNsPath) fields.push({ field: 'networkConfig.netNsPath', path: pod.networkConfig.netNsPath, mustBe: null });
  pod.volumes.forEach((v, i) => fields.push({ field: `volumes.${i}.hostPath`, path: v.hostPath, mustBe: null }));
  for (const kind of HOOK_KINDS) pod.hooks[kind].forEach((h, i) => fields.push({ field: `hooks.${kind}.${i}.path`, path: h.path, mustBe: 'file' }));
  pod.containers.forEach((c, i) => fields.push(...containerHostPaths(c, `containers.${i}.`)));
  return fields;
}

const isMissing = (err: unknown) => ['ENOENT', 'ENOTDIR'].includes((err as NodeJS.ErrnoException).code ?? '');

/**
 * An absolute path with every symlink resolved. A path that does not exist resolves its nearest
 * existing ancestor and appends the rest; `..` is applied only after the symlinks before it.
 */
export async function resolveHostPath(p: string): Promise<{ resolved: string; exists: boolean }> {
  try {
    return { resolved: await realpath(p), exists: true };
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
  const parts = p.split('/');
  for (let n = parts.length - 1; n > 0; n--) {
    try {
      const ancestor = await realpath(parts.slice(0, n).join('/') || '/');
      return { resolved: path.join(ancestor, ...parts.slice(n)), exists: false };
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }
  throw new Error(`no existing ancestor of ${p}`); // "/" always exists
}

/** `resolved` is `root` itself or below it (by path components: /var/rootfs2 is not below /var/rootfs). */
function isWithin(root: string, resolved: string): boolean {
  const rel = path.relative(root, resolved);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

type Kind = 'file' | 'directory' | 'block' | 'char' | 'other';

async function kindOf(resolved: string): Promise<Kind> {
  const s = await stat(resolved);
  return s.isFile() ? 'file' : s.isDirectory() ? 'directory' : s.isBlockDevice() ? 'block' : s.isCharacterDevice() ? 'char' : 'other';
}

/** Which kinds each `mustBe` takes, and how a refusal says it. */
const ACCEPTS: Record<NonNullable<HostPathField['mustBe']>, { kinds: Kind[]; what: string }> = {
  file: { kinds: ['file'], what: 'a file' },
  directory: { kinds: ['directory'], what: 'a directory' },
  rootfs: { kinds: ['directory', 'file', 'block'], what: 'a directory, a disk image file or a block device' },
  block: { kinds: ['file', 'block'], what: 'a disk image file or a block device' },
  device: { kinds: ['char', 'other'], what: 'a character device or FIFO' },
};

/**
 * Throws PERMISSION_DENIED naming the first field whose path resolves outside `roots` (themselves
 * resolved here, at the time of the call), and INVALID_CONFIG for a relative path or a file or
 * folder that must exist and does not. Only paths inside the roots are tested for existence.
 */
export async function checkHostPaths(fields: HostPathField[], roots: string[], devicePatterns: string[] = []): Promise<void> {
  if (!fields.length) return;
  const allowed = [...new Set(await Promise.all(roots.map(async (r) => (await resolveHostPath(path.resolve(r))).resolved)))];
  let devices: Set<string> | null = null; // expanded only when a device node is named
  const outside = (field: string, p: string, why: string, extra: Record<string, unknown> = {}) =>
    new EngineError('PERMISSION_DENIED', `${field}: "${p}" ${why} (${allowed.join(', ')})`, { field, path: p, ...extra, roots: allowed });
  for (const { field, path: p, mustBe } of fields) {
    if (!path.isAbsolute(p)) throw new EngineError('INVALID_CONFIG', `${field}: "${p}" must be an absolute path`, { field, path: p });
    let found: Awaited<ReturnType<typeof resolveHostPath>>;
    try {
      found = await resolveHostPath(p);
    } catch (err) {
      throw outside(field, p, `cannot be resolved (${(err as NodeJS.ErrnoException).code ?? String(err)}) against the allowed host paths`);
    }
    const kind = found.exists ? await kindOf(found.resolved) : null;
    if (kind === 'block' || kind === 'char') {
      devices ??= await allowedDevices(devicePatterns);
      if (!devices.has(found.resolved)) {
        throw new EngineError('PERMISSION_DENIED', `${field}: "${p}" is a device outside the allowed host devices (${devicePatterns.join(', ') || 'none allowed'})`, {
          field,
          path: p,
          resolved: found.resolved,
          patterns: devicePatterns,
        });
      }
    } else if (!allowed.some((root) => isWithin(root, found.resolved))) throw outside(field, p, 'is outside the allowed host paths', { resolved: found.resolved });
    if (!mustBe) continue;
    if (!kind || !ACCEPTS[mustBe].kinds.includes(kind)) {
      const what = kind ? `is not ${ACCEPTS[mustBe].what}` : 'does not exist';
      throw new EngineError('INVALID_CONFIG', `${field}: "${p}" ${what}`, { field, path: p });
    }
  }
}

/** The admin's roots as stored: each an existing directory (else INVALID_CONFIG), realpath'd, without duplicates. */
export async function existingRootDirs(roots: string[]): Promise<string[]> {
  const resolved = await Promise.all(
    roots.map(async (root, i) => {
      const real = await realpath(root).catch(() => null);
      if (!real || (await kindOf(real)) !== 'directory') {
        const message = `"${root}" must be an existing directory`;
        throw new EngineError('INVALID_CONFIG', `Invalid host path roots: roots.${i}: ${message}`, { issues: [{ path: ['roots', String(i)], message }] });
      }
      return real;
    }),
  );
  return [...new Set(resolved)];
}
