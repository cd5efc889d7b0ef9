// Resolves Cmd user/group names or numbers against the CONTAINER's own /etc/passwd and
// /etc/group (in its rootfs), as runc-style runtimes do; the guest's own files are irrelevant.
import { closeSync, constants, lstatSync, openSync, readFileSync } from 'node:fs';
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

/** O_NOFOLLOW as well: a symlink swapped in after the lstat is refused too. */
function readSmallFile(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** Parsed tables by path, with the file identity they were read at; a few per container. */
const tables = new Map<string, { identity: string; rows: string[][] }>();
const MAX_TABLES = 64;

/**
 * Reads a colon-separated database; a missing file is empty, and a symlink is refused (it would
 * resolve outside the rootfs). This runs before an exec's crun starts, on a rootfs that is usually
 * shared from the host, where every open, read and close is a round trip to its 9p or virtio-fs
 * server, and each asynchronous one also a hop through libuv's thread pool on the guest's one
 * vCPU: lstat + readFile of both tables was a third of EnterContainer's overhead over its floor
 * under TCG (bench/exec.ts). So the parsed rows are reused while one lstat finds the file
 * unchanged (inode, size, mtime, ctime: a write in the container or on the host changes them),
 * and a changed table is read synchronously (a few KB: the hop cost more than the read).
 */
function readTable(rootfs: string, file: string): string[][] {
  const path = join(rootfs, file);
  try {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) return [];
    const identity = `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    const known = tables.get(path);
    if (known?.identity === identity) return known.rows;
    const rows = readSmallFile(path)
      .split('\n')
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => line.split(':'));
    tables.delete(path);
    if (tables.size >= MAX_TABLES) tables.delete(tables.keys().next().value!);
    tables.set(path, { identity, rows });
    return rows;
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
  const passwd = parsePasswd(readTable(rootfs, 'etc/passwd'));
  const groups = parseGroups(readTable(rootfs, 'etc/group'));
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
