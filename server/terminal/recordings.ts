// Terminal session recordings: each exec terminal is written as an asciicast v2 file under
// <home>/recordings, indexed in the store (TerminalRecording), kept for the admin's retention period. Who may read one: its owner, and admins for everyone's.
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { mkdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { roleAtLeast, type Principal } from '../auth/index.js';
import { EngineError, type Database } from '../engine/index.js';
import { CastWriter } from './asciicast.js';

export const RecordingSettingsSchema = z.object({
  /** Off: only output is kept (what was typed at a password prompt never reaches the disk). */
  recordInput: z.boolean().default(true),
  retentionDays: z.number().int().min(1).max(3650).default(30),
});
export type RecordingSettings = z.infer<typeof RecordingSettingsSchema>;

const SETTINGS_KEY = 'terminalRecording';
/** Per recording; the rest is dropped with a marker event (see CastWriter). */
const MAX_CAST_BYTES = 64 * 1024 * 1024;
const DAY_MS = 86_400_000;

export interface RecordingMeta {
  /** 'exec' only today; the column leaves room for other kinds of session. */
  kind: 'exec';
  podId: string;
  containerId: string | null;
  title: string;
  owner: { userId: string | null; name: string };
  size: { rows: number; cols: number };
}

/** One recording being written; the session feeds it and finishes it when it ends. */
export interface Recorder {
  readonly id: string;
  output(data: string): void;
  input(data: string): void;
  resize(cols: number, rows: number): void;
  finish(): Promise<void>;
}

export interface RecordingView {
  id: string;
  kind: string;
  podId: string;
  containerId: string | null;
  title: string;
  ownerName: string;
  inputRecorded: boolean;
  startedAt: string;
  endedAt: string | null;
  bytes: number;
}

const view = (r: { id: string; kind: string; podId: string; containerId: string | null; title: string; ownerName: string; inputRecorded: boolean; startedAt: Date; endedAt: Date | null; bytes: number }): RecordingView => ({
  id: r.id,
  kind: r.kind,
  podId: r.podId,
  containerId: r.containerId,
  title: r.title,
  ownerName: r.ownerName,
  inputRecorded: r.inputRecorded,
  startedAt: r.startedAt.toISOString(),
  endedAt: r.endedAt?.toISOString() ?? null,
  bytes: r.bytes,
});

export class Recordings {
  constructor(
    private readonly db: Database,
    readonly dir: string,
    private readonly now: () => number = Date.now,
  ) {}

  async settings(): Promise<RecordingSettings> {
    const row = await this.db.setting.findUnique({ where: { key: SETTINGS_KEY } });
    return RecordingSettingsSchema.parse(row ? JSON.parse(row.value) : {});
  }

  async setSettings(input: RecordingSettings): Promise<RecordingSettings> {
    const value = RecordingSettingsSchema.parse(input);
    const json = JSON.stringify(value);
    await this.db.setting.upsert({ where: { key: SETTINGS_KEY }, create: { key: SETTINGS_KEY, value: json }, update: { value: json } });
    return value;
  }

  /** Opens the file and its index row; the recorder writes as the session goes. */
  async start(meta: RecordingMeta): Promise<Recorder> {
    const { recordInput } = await this.settings();
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const id = randomUUID();
    const file = `${id}.cast`;
    await this.db.terminalRecording.create({
      data: { id, kind: meta.kind, podId: meta.podId, containerId: meta.containerId, title: meta.title, ownerId: meta.owner.userId, ownerName: meta.owner.name, file, inputRecorded: recordInput, startedAt: new Date(this.now()) },
    });
    // Recordings hold what was typed: readable by the console's user only.
    const stream: WriteStream = createWriteStream(path.join(this.dir, file), { mode: 0o600 });
    stream.on('error', () => {}); // a full disk loses the recording, never the session
    const writer = new CastWriter((line) => stream.write(line), { width: meta.size.cols, height: meta.size.rows, title: meta.title, env: { TERM: 'xterm-256color' } }, { recordInput, maxBytes: MAX_CAST_BYTES, now: this.now });
    let finished: Promise<void> | null = null;
    return {
      id,
      output: (data) => writer.output(data),
      input: (data) => writer.input(data),
      resize: (cols, rows) => writer.resize(cols, rows),
      finish: () =>
        (finished ??= new Promise<void>((resolve) => stream.end(resolve)).then(async () => {
          await this.db.terminalRecording.update({ where: { id }, data: { endedAt: new Date(this.now()), bytes: writer.bytes } }).catch(() => {});
        })),
    };
  }

  /** Newest first: everyone's for an admin, one's own otherwise; optionally one pod's. */
  async list(principal: Principal, filter: { podId?: string | undefined } = {}): Promise<RecordingView[]> {
    const mine = roleAtLeast(principal.role, 'admin') ? {} : { ownerId: principal.userId ?? '' };
    const rows = await this.db.terminalRecording.findMany({ where: { ...mine, ...(filter.podId ? { podId: filter.podId } : {}) }, orderBy: { startedAt: 'desc' }, take: 500 });
    return rows.map(view);
  }

  /** The recording and its bytes, if `principal` may read it: an admin any, anyone else their own. */
  async open(principal: Principal, id: string): Promise<{ recording: RecordingView; stream: () => Readable }> {
    const row = await this.db.terminalRecording.findUnique({ where: { id } });
    if (!row) throw new EngineError('INVALID_ARGUMENT', `no recording ${id}`);
    if (!roleAtLeast(principal.role, 'admin') && (row.ownerId === null || row.ownerId !== principal.userId)) {
      throw new EngineError('PERMISSION_DENIED', `recording ${id} belongs to ${row.ownerName}: only admins replay others' sessions`);
    }
    const file = path.join(this.dir, row.file);
    await stat(file).catch(() => {
      throw new EngineError('INVALID_ARGUMENT', `recording ${id} has no file left`);
    });
    return { recording: view(row), stream: () => createReadStream(file) };
  }

  /** Deletes recordings (rows and files) older than the retention period; returns how many. */
  async prune(): Promise<number> {
    const { retentionDays } = await this.settings();
    const cutoff = new Date(this.now() - retentionDays * DAY_MS);
    const old = await this.db.terminalRecording.findMany({ where: { startedAt: { lt: cutoff } }, select: { id: true, file: true } });
    for (const r of old) await rm(path.join(this.dir, r.file), { force: true });
    await this.db.terminalRecording.deleteMany({ where: { id: { in: old.map((r) => r.id) } } });
    return old.length;
  }
}
