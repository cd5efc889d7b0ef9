// Host memory as new pods see it: MemAvailable (what the kernel can hand out without swapping).
import { readFile } from 'node:fs/promises';

export function parseMemAvailable(meminfo: string): { totalBytes: number; availableBytes: number } {
  const kib = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(meminfo)?.[1] ?? 0) * 1024;
  return { totalBytes: kib('MemTotal'), availableBytes: kib('MemAvailable') };
}

export async function hostMemory(): Promise<{ totalBytes: number; availableBytes: number }> {
  return parseMemAvailable(await readFile('/proc/meminfo', 'utf8'));
}
