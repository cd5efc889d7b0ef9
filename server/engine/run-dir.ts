// Removing a pod's run directory without ever deleting through a mount: container root
// filesystems are bind-mounted under <runDir>/shared, and a recursive delete that crossed
// one would destroy the user's files. Mounts below the directory are detached first; if any
// remain, nothing is deleted.
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { execa } from 'execa';
import { EngineError } from './errors.js';

/** Mount points at or below `dir`, deepest first (from /proc/self/mountinfo; octal escapes decoded). */
export async function mountsBelow(dir: string): Promise<string[]> {
  const root = path.resolve(dir);
  const info = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  return info
    .split('\n')
    .map((line) => line.split(' ')[4]?.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p): p is string => !!p && (p === root || p.startsWith(root + '/')))
    .sort((a, b) => b.length - a.length);
}

export async function removeRunDirSafely(dir: string): Promise<void> {
  for (const mount of await mountsBelow(dir)) {
    await execa('umount', [mount], { reject: false }).then((r) => (r.exitCode === 0 ? r : execa('umount', ['-l', mount], { reject: false })));
  }
  const left = await mountsBelow(dir);
  if (left.length) {
    throw new EngineError('INTERNAL', `Refusing to remove ${dir}: still mounted below it: ${left.join(', ')}`, { mounts: left });
  }
  await rm(dir, { recursive: true, force: true });
}
