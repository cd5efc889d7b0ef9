// Resolves Cmd user/group names or numbers against the CONTAINER's own /etc/passwd and
// /etc/group (in its rootfs), as runc-style runtimes do; the guest's own files are irrelevant.
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ProtocolError } from '../protocol/messages.js';

export interface UserRequest {
  user: string;
  primaryGroup: string;
  supplementaryGroups: string[];
}

export interface ResolvedUser {
  uid: number;
  gid: number;
  additionalGids: number[];
  home: string;
}

interface PasswdEntry {
  name: string;
  uid: number;
  gid: number;
  home: string;
}
interface GroupEntry {
  name: string;
  gid: number;
  members: string[];
}

const NUMERIC = /^\d+$/;

/** Reads a colon-separated database; a missing file is empty. Symlinks are refused: they would resolve outside the rootfs. */
async function readTable(rootfs: string, file: string): Promise<string[][]> {
  const path = join(rootfs, file);
  try {
    if ((await lstat(path)).isSymbolicLink()) return [];
    const text = await readFile(path, 'utf8');
    return text
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => line.split(':'));
  } catch {
    return [];
  }
}

function parsePasswd(rows: string[][]): PasswdEntry[] {
  return rows
    .filter((r) => r.length >= 7 && NUMERIC.test(r[2]!) && NUMERIC.test(r[3]!))
    .map((r) => ({ name: r[0]!, uid: Number(r[2]), gid: Number(r[3]), home: r[5]! || '/' }));
}

function parseGroups(rows: string[][]): GroupEntry[] {
  return rows
    .filter((r) => r.length >= 3 && NUMERIC.test(r[2]!))
    .map((r) => ({ name: r[0]!, gid: Number(r[2]), members: (r[3] ?? '').split(',').filter(Boolean) }));
}

function groupId(groups: GroupEntry[], group: string): number {
  if (NUMERIC.test(group)) return Number(group);
  const entry = groups.find((g) => g.name === group);
  if (!entry) throw new ProtocolError('INVALID_ARGUMENT', `unable to find group "${group}" in the container's /etc/group`);
  return entry.gid;
}

export async function resolveUser(rootfs: string, request: UserRequest): Promise<ResolvedUser> {
  const passwd = parsePasswd(await readTable(rootfs, 'etc/passwd'));
  const groups = parseGroups(await readTable(rootfs, 'etc/group'));
  const user = request.user || '0';
  const entry = NUMERIC.test(user) ? passwd.find((p) => p.uid === Number(user)) : passwd.find((p) => p.name === user);
  if (!entry && !NUMERIC.test(user)) throw new ProtocolError('INVALID_ARGUMENT', `unable to find user "${user}" in the container's /etc/passwd`);
  const uid = entry?.uid ?? Number(user);
  const gid = request.primaryGroup ? groupId(groups, request.primaryGroup) : (entry?.gid ?? 0);
  const additional = request.supplementaryGroups.length
    ? request.supplementaryGroups.map((g) => groupId(groups, g))
    : groups.filter((g) => entry && g.members.includes(entry.name)).map((g) => g.gid);
  return { uid, gid, additionalGids: [...new Set(additional)], home: entry?.home ?? '/' };
}
