// Applies the PostgreSQL migrations on first use, in one transaction under an advisory lock so
// that several processes starting at once apply each migration exactly once.
import { randomUUID } from 'node:crypto';
import type { Client } from 'pg';
import type { Migration } from './migrations.js';

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS "_prisma_migrations" (
  "id" VARCHAR(36) PRIMARY KEY NOT NULL,
  "checksum" VARCHAR(64) NOT NULL,
  "finished_at" TIMESTAMPTZ,
  "migration_name" VARCHAR(255) NOT NULL,
  "logs" TEXT,
  "rolled_back_at" TIMESTAMPTZ,
  "started_at" TIMESTAMPTZ NOT NULL DEFAULT now(),
  "applied_steps_count" INTEGER NOT NULL DEFAULT 0
)`;
/** Any constant; it names Podvisor's migration lock among the database's advisory locks. */
const ADVISORY_LOCK_KEY = 0x706f6476;

export async function migratePostgres(client: Client, migrations: Migration[]): Promise<string[]> {
  const applied: string[] = [];
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [ADVISORY_LOCK_KEY]);
    await client.query(MIGRATIONS_TABLE);
    const { rows } = await client.query<{ migration_name: string }>('SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL');
    const done = new Set(rows.map((r) => r.migration_name));
    for (const m of migrations.filter((m) => !done.has(m.name))) {
      await client.query(m.sql);
      await client.query('INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, applied_steps_count) VALUES ($1, $2, now(), $3, 1)', [
        randomUUID(),
        m.checksum,
        m.name,
      ]);
      applied.push(m.name);
    }
    await client.query('COMMIT');
    return applied;
  } catch (err) {
    await client.query('ROLLBACK');
    throw err;
  }
}
