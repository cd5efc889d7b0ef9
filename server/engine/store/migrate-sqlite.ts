// Applies the SQLite migrations on first use, recording them in Prisma's own `_prisma_migrations`
// table. `prisma migrate deploy` cannot run here without extra set-up (docs/differences.md), and a
// fresh checkout must get its database with no extra command.
import { randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Migration } from './migrations.js';

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
      const rows = db.prepare('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL').all() as { migration_name: string }[];
      const done = new Set(rows.map((r) => r.migration_name));
      for (const m of migrations.filter((m) => !done.has(m.name))) {
        db.exec(m.sql);
        db.prepare(
          'INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count) VALUES (?, ?, current_timestamp, ?, 1)',
        ).run(randomUUID(), m.checksum, m.name);
        applied.push(m.name);
      }
    }).immediate();
    return applied;
  } finally {
    db.close();
  }
}
