// Process-wide settings, read once from the environment and validated with zod.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

const EnvSchema = z.object({
  /** Where Podvisor keeps its database, locks and logs. */
  PODVISOR_HOME: z.string().default(path.join(REPO_ROOT, 'var')),
  /** `file:/path.db` (SQLite, the default) or `postgresql://…`. */
  DATABASE_URL: z.string().optional(),
  /** Per-pod sockets live here: keep it short, unix socket paths are limited to 107 bytes. */
  PODVISOR_RUN_DIR: z.string().default('/run/podvisor'),
  /** How long a mutating call waits for another caller's call on the same pod. */
  PODVISOR_LOCK_WAIT_MS: z.coerce.number().int().positive().default(180_000),
  PODVISOR_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
});

export interface PodvisorConfig {
  home: string;
  databaseUrl: string;
  runRoot: string;
  lockDir: string;
  lockWaitMs: number;
  logLevel: string;
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): PodvisorConfig {
  const e = EnvSchema.parse(env);
  const home = path.resolve(e.PODVISOR_HOME);
  return {
    home,
    databaseUrl: e.DATABASE_URL ?? `file:${path.join(home, 'podvisor.db')}`,
    runRoot: path.resolve(e.PODVISOR_RUN_DIR),
    lockDir: path.join(home, 'locks'),
    lockWaitMs: e.PODVISOR_LOCK_WAIT_MS,
    logLevel: e.PODVISOR_LOG_LEVEL,
  };
}
