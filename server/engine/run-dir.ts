// Removing a pod's run directory without ever deleting through a mount: container root
// filesystems are bind-mounted under <runDir>/shared, and a recursive delete that crossed
// one would destroy the user's files. Mounts below the directory are detached first; if any
// remain, nothing is deleted.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { EngineError } from './errors.js';
import { linuxHost } from './host/linux.js';
import type { Host } from './host/types.js';

/** Mount points at or below `dir`, deepest first. */
export async function mountsBelow(dir: string, host: Host = linuxHost): Promise<string[]> {
  const root = path.resolve(dir);
  return (await host.mountPoints()).filter((p) => p === root || p.startsWith(root + '/')).sort((a, b) => b.length - a.length);
}

export async function removeRunDirSafely(dir: string, host: Host = linuxHost): Promise<void> {
  for (const mount of await mountsBelow(dir, host)) {
    await host.umount(mount).catch(() => host.umount(mount, { lazy: true }).catch(() => {}));
  }
  const left = await mountsBelow(dir, host);
  if (left.length) {
    throw new EngineError('INTERNAL', `Refusing to remove ${dir}: still mounted below it: ${left.join(', ')}`, { mounts: left });
  }
  await rm(dir, { recursive: true, force: true });
}
