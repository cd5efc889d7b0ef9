// What is mounted where in the guest, from /proc/self/mountinfo (octal escapes decoded).
import { readFile } from 'node:fs/promises';

export interface MountEntry {
  mountPoint: string;
  fstype: string;
  /** For 9p, the share's tag. */
  source: string;
}

const unescape = (field: string) => field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));

export async function mountEntries(): Promise<MountEntry[]> {
  const info = await readFile('/proc/self/mountinfo', 'utf8');
  return info
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      // "<id> <parent> <dev> <root> <mount point> <options> [optional…] - <fstype> <source> <super options>"
      const fields = line.split(' ');
      const dash = fields.indexOf('-');
      return { mountPoint: unescape(fields[4] ?? ''), fstype: fields[dash + 1] ?? '', source: unescape(fields[dash + 2] ?? '') };
    });
}

export async function isMountPoint(path: string): Promise<boolean> {
  const target = path.replace(/\/+$/, '') || '/';
  return (await mountEntries()).some((m) => m.mountPoint === target);
}
