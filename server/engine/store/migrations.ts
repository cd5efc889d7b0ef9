// The committed Prisma migrations of each database kind, and the record Prisma keeps of them.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../../repo-root.js';

export const MIGRATIONS_DIRS = {
  sqlite: path.join(REPO_ROOT, 'prisma/migrations'),
  postgresql: path.join(REPO_ROOT, 'prisma/postgresql/migrations'),
};

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

export function readMigrations(dir: string): Migration[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(path.join(dir, name, 'migration.sql'), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}
