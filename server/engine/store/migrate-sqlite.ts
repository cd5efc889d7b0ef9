// Applies prisma/migrations to a SQLite file on first use, recording them in Prisma's own
// `_prisma_migrations` table. `prisma migrate deploy` cannot run here without extra set-up
// (see docs/differences.md), and a fresh checkout must get its database with no extra command.
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" TEXT PRIMARY KEY NOT NULL,
  "checksum" TEXT NOT NULL,
  "finished_at" DATETIME,
  "migration_name" TEXT NOT NULL,
  "logs" TEXT,
  "rolled_back_at" DATETIME,
  "started_at" DATETIME NOT NULL DEFAULT current_timestamp,
  "applied_steps_count" INTEGER UNSIGNED NOT NULL DEFAULT 0
)`;

export interface Migration {
  name: string;
  sql: string;
}

export function readMigrations(dir: string): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => ({ name, sql: readFileSync(path.join(dir, name, 'migration.sql'), 'utf8') }));
}

/** Brings the database at `file` up to date; safe when several processes start at once. */
export function migrateSqlite(file: string, migrations: Migration[]): string[] {
  mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file, { timeout: 30_000 });
  try {
    // WAL lets status reads proceed while another process holds a write transaction.
    db.pragma('journal_mode = WAL');
    db.exec(MIGRATIONS_TABLE);
    const applied: string[] = [];
    db.transaction(() => {
      const done = new Set(
        (db.prepare('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL').all() as { migration_name: string }[]).map(
          (r) => r.migration_name,
        ),
      );
      for (const m of migrations) {
        if (done.has(m.name)) continue;
        db.exec(m.sql);
        db.prepare(
          'INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count) VALUES (?, ?, current_timestamp, ?, 1)',
        ).run(randomUUID(), createHash('sha256').update(m.sql).digest('hex'), m.name);
        applied.push(m.name);
      }
    }).immediate();
    return applied;
  } finally {
    db.close();
  }
}
