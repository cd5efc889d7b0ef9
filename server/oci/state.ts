// What podvisor-oci keeps per container under --root (the engine's store keeps everything else),
// and the OCI runtime-spec `state` built from it. The record is tiny: which bundle, which relay PID
// (the process conmon waits for) and when; the container's state is always asked of the engine.
import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { EngineError } from '../engine/errors.js';
import type { State } from '../engine/types.js';

export const OCI_VERSION = '1.0.2';
/** runc's default --root is /run/runc: ours sits beside it. */
export const DEFAULT_ROOT = '/run/podvisor-oci';
/** The relay's argv carries `RELAY_MARKER <id>`, so a recorded PID is checked before it is trusted. */
export const RELAY_MARKER = 'podvisor-oci-relay';

const RecordSchema = z.object({
  id: z.string(),
  bundle: z.string(),
  rootfs: z.string(),
  /** The init relay's host PID: the pid-file's. */
  pid: z.number().int(),
  created: z.string(),
  annotations: z.record(z.string(), z.string()).default({}),
  /** Set once `start` handed the relay its process. */
  started: z.boolean().default(false),
});
export type ContainerRecord = z.infer<typeof RecordSchema>;

export type OciStatus = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

export interface OciState {
  ociVersion: string;
  id: string;
  status: OciStatus;
  pid: number;
  bundle: string;
  rootfs: string;
  created: string;
  annotations: Record<string, string>;
}

const dirOf = (root: string, id: string) => path.join(root, id);
const fileOf = (root: string, id: string) => path.join(dirOf(root, id), 'state.json');
/** The relay's control socket; unix socket paths are limited to 107 bytes. */
export function relaySocketOf(root: string, id: string): string {
  const p = path.join(dirOf(root, id), 'relay.sock');
  if (Buffer.byteLength(p) > 107) throw new EngineError('INVALID_ARGUMENT', `--root ${root} is too long for a unix socket path (${p})`);
  return p;
}

export async function writeRecord(root: string, record: ContainerRecord): Promise<void> {
  await mkdir(dirOf(root, record.id), { recursive: true, mode: 0o700 });
  const tmp = `${fileOf(root, record.id)}.tmp`;
  await writeFile(tmp, JSON.stringify(record));
  // rename: a concurrent `state` never reads half a record.
  await rename(tmp, fileOf(root, record.id));
}

export async function readRecord(root: string, id: string): Promise<ContainerRecord> {
  let text: string;
  try {
    text = await readFile(fileOf(root, id), 'utf8');
  } catch {
    throw new EngineError('CONTAINER_NOT_FOUND', `container ${id} does not exist`);
  }
  return RecordSchema.parse(JSON.parse(text));
}

export async function removeRecord(root: string, id: string): Promise<void> {
  await rm(dirOf(root, id), { recursive: true, force: true });
}

export async function listRecords(root: string): Promise<ContainerRecord[]> {
  const ids = await readdir(root).catch(() => [] as string[]);
  const records = await Promise.all(ids.map((id) => readRecord(root, id).catch(() => null)));
  return records.filter((r): r is ContainerRecord => r !== null);
}

/** True while `pid` is this container's relay (not a reused PID, not a zombie). */
export function relayAlive(pid: number, id: string): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    const at = argv.indexOf(RELAY_MARKER);
    return at >= 0 && argv[at + 1] === id;
  } catch {
    return false;
  }
}

const STATUS_OF: Record<State, OciStatus> = { ready: 'created', running: 'running', paused: 'paused', stopped: 'stopped' };

/**
 * The OCI state. `engineState` is the container's in the engine (null: its pod is gone); a relay
 * that has exited means the process has, whatever the engine has yet to notice.
 */
export function ociState(record: ContainerRecord, engineState: State | null, alive: boolean): OciState {
  let status: OciStatus = engineState ? STATUS_OF[engineState] : 'stopped';
  if (!alive && status !== 'stopped') status = 'stopped';
  return {
    ociVersion: OCI_VERSION,
    id: record.id,
    status,
    pid: status === 'stopped' ? 0 : record.pid,
    bundle: record.bundle,
    rootfs: record.rootfs,
    created: record.created,
    annotations: record.annotations,
  };
}
