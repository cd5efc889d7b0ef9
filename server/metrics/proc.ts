// What the host can read about one VM from /proc without asking the guest: the QEMU process's CPU
// time, resident memory and storage I/O, and the traffic of the network namespace it runs in (the
// pod's netns; a QEMU in the engine's own namespace has no pod traffic to tell apart, so none is
// reported rather than the host's).
import { readFile, stat } from 'node:fs/promises';

/** Clock ticks per second of /proc/<pid>/stat times; 100 on every Linux build we run on. */
export const CLOCK_TICKS = 100;

export interface ProcCounters {
  /** utime + stime of the QEMU process, seconds. */
  cpuSeconds: number;
  rssBytes: number;
  /** Bytes QEMU made the kernel read from / write to storage (/proc/<pid>/io read_bytes, write_bytes). */
  blockReadBytes: number;
  blockWriteBytes: number;
  /** Sum over the pod netns's interfaces but lo; null when QEMU shares the engine's namespace. */
  netRxBytes: number | null;
  netTxBytes: number | null;
}

/** utime + stime in ticks; the comm field may hold spaces and parentheses, so split after its last ")". */
export function parseStatTicks(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

export function parseRssBytes(status: string): number {
  return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0) * 1024;
}

export function parseIo(io: string): { readBytes: number; writeBytes: number } {
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(io)?.[1] ?? 0);
  return { readBytes: field('read_bytes'), writeBytes: field('write_bytes') };
}

/** /proc/net/dev: two header lines, then `iface: rx_bytes … (8 rx fields) tx_bytes …`. */
export function parseNetDev(text: string): { rxBytes: number; txBytes: number } {
  let rxBytes = 0;
  let txBytes = 0;
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).trim() === 'lo') continue;
    const f = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    rxBytes += f[0] ?? 0;
    txBytes += f[8] ?? 0;
  }
  return { rxBytes, txBytes };
}

async function sameNetns(pid: number): Promise<boolean> {
  const [theirs, ours] = await Promise.all([stat(`/proc/${pid}/ns/net`), stat('/proc/self/ns/net')]);
  return theirs.ino === ours.ino && theirs.dev === ours.dev;
}

/** Throws when the process is gone (the caller drops the pod's sample). */
export async function readProcCounters(pid: number): Promise<ProcCounters> {
  const [statText, status, io, own] = await Promise.all([
    readFile(`/proc/${pid}/stat`, 'utf8'),
    readFile(`/proc/${pid}/status`, 'utf8'),
    readFile(`/proc/${pid}/io`, 'utf8'),
    sameNetns(pid),
  ]);
  const net = own ? null : parseNetDev(await readFile(`/proc/${pid}/net/dev`, 'utf8'));
  const { readBytes, writeBytes } = parseIo(io);
  return {
    cpuSeconds: parseStatTicks(statText) / CLOCK_TICKS,
    rssBytes: parseRssBytes(status),
    blockReadBytes: readBytes,
    blockWriteBytes: writeBytes,
    netRxBytes: net?.rxBytes ?? null,
    netTxBytes: net?.txBytes ?? null,
  };
}
