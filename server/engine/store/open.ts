// Picks the store from DATABASE_URL: a SQLite file unless the URL says PostgreSQL.
import { EngineError } from '../errors.js';
import { openPostgresStore, openSqliteStore } from './prisma-store.js';
import type { Store } from './types.js';

export async function openStore(url: string): Promise<Store> {
  if (/^postgres(ql)?:\/\//.test(url)) {
    return openPostgresStore(url);
  }
  if (!url.startsWith('file:')) throw new EngineError('INVALID_ARGUMENT', `DATABASE_URL must start with file: or postgresql:// (got "${url}")`);
  return openSqliteStore(url);
}
