// The SQLite store: committed migrations produce exactly the schema in schema.prisma, a fresh
// database is created on first use, and a crash mid-call leaves the records as they were.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { migrateSqlite } from '../../server/engine/store/migrate-sqlite.js';
import { MIGRATIONS_DIRS, readMigrations } from '../../server/engine/store/migrations.js';
import { mockPod, testEngine } from '../helpers/engine.js';

function schemaOf(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE '_prisma%' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { type: string; name: string; sql: string }[]).map(
      (r) => `${r.type} ${r.name}: ${r.sql.replace(/\s+/g, ' ')}`,
    );
  } finally {
    db.close();
  }
}

describe('store', () => {
  it('committed migrations match schema.prisma', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'pv-schema-'));
    try {
      const { stdout: sql } = await execa('npx', ['prisma', 'migrate', 'diff', '--from-empty', '--to-schema-datamodel', 'prisma/schema.prisma', '--script']);
      const fromSchema = path.join(dir, 'schema.db');
      const db = new Database(fromSchema);
      db.exec(sql);
      db.close();
      const fromMigrations = path.join(dir, 'migrated.db');
      expect(migrateSqlite(fromMigrations, readMigrations(MIGRATIONS_DIRS.sqlite))).toEqual(readMigrations(MIGRATIONS_DIRS.sqlite).map((m) => m.name));
      expect(schemaOf(fromMigrations)).toEqual(schemaOf(fromSchema));
      expect(schemaOf(fromMigrations).length).toBeGreaterThan(3);
      // Applying again is a no-op.
      expect(migrateSqlite(fromMigrations, readMigrations(MIGRATIONS_DIRS.sqlite))).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a process killed mid-call leaves the pod as it was, and its lock is taken over', { timeout: 90_000 }, async () => {
    await using t = testEngine();
    const hook = path.join(t.dir, 'hang.sh');
    const marker = path.join(t.dir, 'hung-once');
    // Hangs the first time only, recording its PID so the test can end it.
    writeFileSync(hook, `#!/bin/sh\n[ -e ${marker} ] && exit 0\necho $$ > ${marker}\nexec sleep 30\n`, { mode: 0o755 });
    await t.vc.createPod({ ...mockPod('crash'), hooks: { postStartHooks: [{ path: hook }] } });
    const child = execa(process.execPath, ['--import', 'tsx', 'test/helpers/engine-call.ts', t.dir, 'startPod', 'crash'], { detached: true, reject: false });
    // Wait until the child holds the lock and runs the hook (a cold tsx start: seconds under load), then kill it hard.
    await expect.poll(() => existsSync(marker) || child.exitCode !== null, { timeout: 50_000, interval: 100 }).toBe(true);
    expect(child.exitCode, 'the child ended before it ran the hook').toBeNull();
    expect(existsSync(path.join(t.dir, 'locks', 'crash.lock'))).toBe(true);
    process.kill(-child.pid!, 'SIGKILL');
    await child;
    const status = await t.vc.statusPod('crash');
    expect(status.state).toBe('ready');
    expect(status.containersStatus.map((c) => c.state)).toEqual(['ready']);
    process.kill(Number(readFileSync(marker, 'utf8')), 'SIGKILL');
    // The dead process's lock goes stale and the next call gets through.
    expect((await t.vc.startPod('crash')).state()).toBe('running');
  });
});
