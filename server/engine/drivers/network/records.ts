// Write-ahead records, one folder per pod under the CNI cache dir (in PODVISOR_HOME: they must outlive
// the process and a reboot, as host-local's leases do). Each is written before the host is changed and
// dropped once that change is undone, so remove() can undo what a crashed connect never persisted,
// and a netns named like ours but made by another install is never taken for ours.
import { mkdir, readdir, readFile, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { AttachmentSchema, NetnsStateSchema, type Attachment, type NetnsState } from './state.js';

const podDir = (cacheDir: string, podId: string) => path.join(cacheDir, podId);
const attachmentFile = (cacheDir: string, a: Pick<Attachment, 'containerId' | 'ifname'>) => path.join(podDir(cacheDir, a.containerId), `cni-${a.ifname}.json`);
const netnsFile = (cacheDir: string, podId: string) => path.join(podDir(cacheDir, podId), 'netns.json');

async function writeRecord(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(`${file}.tmp`, JSON.stringify(value), { mode: 0o600 });
  await rename(`${file}.tmp`, file);
}

async function readRecord<T>(file: string, schema: z.ZodType<T>): Promise<T | 'unreadable' | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

async function dropRecord(file: string): Promise<void> {
  await rm(file, { force: true });
  await rmdir(path.dirname(file)).catch(() => {}); // only once empty
}

export const writeAttachment = (cacheDir: string, a: Attachment) => writeRecord(attachmentFile(cacheDir, a), a);
export const dropAttachment = (cacheDir: string, a: Attachment) => dropRecord(attachmentFile(cacheDir, a));

/** The pod's attachment records; one that does not parse is reported (and left in place), not trusted. */
export async function readAttachments(cacheDir: string, podId: string): Promise<{ attachments: Attachment[]; unreadable: string[] }> {
  const names = await readdir(podDir(cacheDir, podId)).catch(() => [] as string[]);
  const attachments: Attachment[] = [];
  const unreadable: string[] = [];
  for (const name of names.filter((n) => /^cni-.*\.json$/.test(n)).sort()) {
    const file = path.join(podDir(cacheDir, podId), name);
    const record = await readRecord(file, AttachmentSchema);
    if (record === 'unreadable') unreadable.push(file);
    else if (record) attachments.push(record);
  }
  return { attachments, unreadable };
}

export const writeNetnsRecord = (cacheDir: string, podId: string, netns: NetnsState) => writeRecord(netnsFile(cacheDir, podId), netns);
export const dropNetnsRecord = (cacheDir: string, podId: string) => dropRecord(netnsFile(cacheDir, podId));
export async function readNetnsRecord(cacheDir: string, podId: string): Promise<NetnsState | null> {
  const record = await readRecord(netnsFile(cacheDir, podId), NetnsStateSchema);
  return record === 'unreadable' ? null : record;
}
