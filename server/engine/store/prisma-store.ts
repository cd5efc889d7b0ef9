// The Store on Prisma with driver adapters: a SQLite file or a PostgreSQL database, either
// created and migrated on first use. The auth module shares the same database (openDatabase).
import path from 'node:path';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { parse as parsePgUrl } from 'pg-connection-string';
import { PrismaClient } from '../../generated/prisma/client.js';
import { PrismaClient as PrismaPgClient } from '../../generated/prisma-pg/client.js';
import type { Container as ContainerRow, Pod as PodRow, PodEvent as PodEventRow } from '../../generated/prisma/client.js';
import { EngineError } from '../errors.js';
import type { PodEvent } from '../events.js';
import { ContainerConfigSchema, PodConfigSchema, ProcessSchema, StateSchema } from '../types.js';
import { migratePostgres } from './migrate-postgres.js';
import { migrateSqlite } from './migrate-sqlite.js';
import { MIGRATIONS_DIRS, readMigrations } from './migrations.js';
import type { ContainerRecord, PodRecord, Store } from './types.js';

/** `file:relative/or/absolute.db` or a bare path → absolute path of the SQLite file. */
export function sqliteFileOf(url: string): string {
  return path.resolve(url.replace(/^file:/, ''));
}

export interface DatabaseOptions {
  /** SQLite: how long a write waits for another connection's write transaction (default 30 s). */
  busyTimeoutMs?: number;
}

/** Podvisor's database, migrated: a SQLite file unless the URL says PostgreSQL. */
export async function openDatabase(url: string, opts: DatabaseOptions = {}): Promise<PrismaClient> {
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url);
  if (!url.startsWith('file:')) throw new EngineError('INVALID_ARGUMENT', `DATABASE_URL must start with file: or postgresql:// (got "${url}")`);
  return openSqlite(url, opts);
}

export async function openStore(url: string, opts: DatabaseOptions = {}): Promise<Store> {
  const db = await openDatabase(url, opts);
  return url.startsWith('file:') ? new PrismaStore(db, () => sqliteClient(url, opts)) : new PrismaStore(db);
}

/** Synchronous, for callers (tests) that hold a SQLite file. */
export function openSqliteStore(url: string, opts: DatabaseOptions = {}): Store {
  return new PrismaStore(openSqlite(url, opts), () => sqliteClient(url, opts));
}

function openSqlite(url: string, opts: DatabaseOptions): PrismaClient {
  migrateSqlite(sqliteFileOf(url), readMigrations(MIGRATIONS_DIRS.sqlite));
  return sqliteClient(url, opts);
}

/** A client on an already migrated file (no migration: that would wait for a write lock). */
function sqliteClient(url: string, opts: DatabaseOptions): PrismaClient {
  const adapter = new PrismaBetterSQLite3({ url: `file:${sqliteFileOf(url)}`, timeout: opts.busyTimeoutMs ?? 30_000 });
  return new PrismaClient({ adapter });
}

async function openPostgres(url: string): Promise<PrismaClient> {
  // Built from the parsed URL (not `connectionString`) so that `?host=/socket/dir` works.
  const config = parsePgUrl(url) as pg.ClientConfig;
  const client = new pg.Client(config);
  await client.connect();
  try {
    await migratePostgres(client, readMigrations(MIGRATIONS_DIRS.postgresql));
  } finally {
    await client.end();
  }
  const db = new PrismaPgClient({ adapter: new PrismaPg(config as pg.PoolConfig) });
  // Both generated clients expose the same models with the same field types; only the SQL dialect differs.
  return db as unknown as PrismaClient;
}

const podOf = (row: PodRow): PodRecord => ({
  id: row.id,
  state: StateSchema.parse(row.state),
  config: PodConfigSchema.parse(JSON.parse(row.config)),
  runtime: JSON.parse(row.runtime),
  createdAt: row.createdAt.toISOString(),
});

const containerOf = (row: ContainerRow): ContainerRecord => ({
  podId: row.podId,
  id: row.id,
  state: StateSchema.parse(row.state),
  config: ContainerConfigSchema.parse(JSON.parse(row.config)),
  process: row.process ? ProcessSchema.parse(JSON.parse(row.process)) : null,
  agentState: JSON.parse(row.agentState),
  exitCode: row.exitCode,
  createdAt: row.createdAt.toISOString(),
});

const eventOf = (row: PodEventRow): PodEvent => ({
  id: row.id,
  podId: row.podId,
  time: row.time.toISOString(),
  call: row.call,
  containerId: row.containerId,
  outcome: row.outcome === 'error' ? 'error' : 'ok',
  errorCode: row.errorCode as PodEvent['errorCode'],
  message: row.message,
  fromState: row.fromState ? StateSchema.parse(row.fromState) : null,
  toState: row.toState ? StateSchema.parse(row.toState) : null,
});

/** Any store failure (disk full, a file locked by another process, a lost connection, a damaged
 * row) becomes STORE_FAILED naming what was being done: the caller gets one code to act on. */
async function guarded<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof EngineError) throw err;
    throw new EngineError('STORE_FAILED', `Could not ${what}: ${(err as Error).message}`, undefined, { cause: err });
  }
}

class PrismaStore implements Store {
  /** `reopen`: SQLite only, see recoverAfterFailedWrite. */
  constructor(
    private db: PrismaClient,
    private readonly reopen?: () => PrismaClient,
  ) {}

  /**
   * prisma/orm#29933 (open in 6.19): when a COMMIT fails (SQLITE_FULL, SQLITE_BUSY) the
   * better-sqlite3 adapter leaves its one connection inside the dead transaction with its
   * transaction mutex held, so every later transaction of this process waits forever. A fresh
   * client is a fresh connection and mutex; closing the old connection rolls its transaction back
   * and frees the file's write lock.
   */
  private async write<T>(what: string, fn: (db: PrismaClient) => Promise<T>): Promise<T> {
    try {
      return await guarded(what, () => fn(this.db));
    } catch (err) {
      if (this.reopen) {
        const old = this.db;
        this.db = this.reopen();
        await old.$disconnect().catch(() => undefined);
      }
      throw err;
    }
  }

  getPod(id: string) {
    return guarded(`read pod "${id}"`, async () => {
      const row = await this.db.pod.findUnique({ where: { id } });
      return row ? podOf(row) : null;
    });
  }

  listPods() {
    return guarded('list pods', async () => (await this.db.pod.findMany({ orderBy: { createdAt: 'asc' } })).map(podOf));
  }

  listContainers(podId: string) {
    return guarded(`list the containers of pod "${podId}"`, async () =>
      (await this.db.container.findMany({ where: { podId }, orderBy: { createdAt: 'asc' } })).map(containerOf),
    );
  }

  listEvents(podId: string, limit: number) {
    return guarded(`read the events of pod "${podId}"`, async () => {
      const rows = await this.db.podEvent.findMany({ where: { podId }, orderBy: { id: 'desc' }, take: limit });
      return rows.reverse().map(eventOf);
    });
  }

  lastEntered(state: string) {
    return guarded(`read when pods last became ${state}`, async () => {
      // One aggregate over the (podId, id) index instead of reading each pod's events.
      const rows = await this.db.podEvent.groupBy({ by: ['podId'], where: { containerId: null, toState: state }, _max: { time: true } });
      return new Map(rows.flatMap((r) => (r._max.time ? [[r.podId, r._max.time.toISOString()] as const] : [])));
    });
  }

  // One transaction: a failure anywhere (SQLITE_FULL half-way through, say) leaves no part of it.
  commit(podId: string, change: Parameters<Store['commit']>[1]) {
    return this.write(`save pod "${podId}"`, (db) =>
      db.$transaction(async (tx) => {
        if (change.upsertPod) {
          const p = change.upsertPod;
          const data = { state: p.state, config: JSON.stringify({ ...p.config, containers: [] }), runtime: JSON.stringify(p.runtime) };
          await tx.pod.upsert({ where: { id: podId }, create: { id: podId, ...data }, update: data });
        }
        for (const c of change.upsertContainers ?? []) {
          const data = {
            state: c.state,
            config: JSON.stringify(c.config),
            process: c.process ? JSON.stringify(c.process) : null,
            agentState: JSON.stringify(c.agentState),
            exitCode: c.exitCode,
          };
          await tx.container.upsert({ where: { podId_id: { podId, id: c.id } }, create: { podId, id: c.id, ...data }, update: data });
        }
        if (change.deleteContainers?.length) {
          await tx.container.deleteMany({ where: { podId, id: { in: change.deleteContainers } } });
        }
        await tx.generation.upsert({ where: { id: 1 }, create: { id: 1, value: 1 }, update: { value: { increment: 1 } } });
        if (change.deletePod) {
          await tx.pod.delete({ where: { id: podId } });
        } else if (change.events?.length) {
          await tx.podEvent.createMany({ data: change.events });
        }
      }),
    );
  }

  generation() {
    return guarded('read the store generation', async () => (await this.db.generation.findUnique({ where: { id: 1 } }))?.value ?? 0);
  }

  getSetting(key: string) {
    return guarded(`read setting "${key}"`, async () => {
      const row = await this.db.setting.findUnique({ where: { key } });
      return row ? (JSON.parse(row.value) as unknown) : null;
    });
  }

  putSetting(key: string, value: unknown) {
    const json = JSON.stringify(value);
    return this.write(`save setting "${key}"`, async (db) => {
      await db.setting.upsert({ where: { key }, create: { key, value: json }, update: { value: json } });
    });
  }

  async close() {
    await this.db.$disconnect();
  }
}
