// Process-wide settings, read once from the environment and validated with zod.
import path from 'node:path';
import { z } from 'zod';

import { REPO_ROOT } from './repo-root.js';

export { REPO_ROOT };

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
  /** Colon-separated host folders that API calls may name (RootFs, volumes, kernels, hooks…) until an admin sets the list. */
  PODVISOR_HOST_PATH_ROOTS: z.string().optional(),
  /** A browser login ends this long after it began, and after this long without a request. */
  PODVISOR_SESSION_TTL_MINUTES: z.coerce.number().int().positive().default(12 * 60),
  PODVISOR_SESSION_IDLE_MINUTES: z.coerce.number().int().positive().default(30),
  /** How long a SQLite write waits for another process's write transaction before STORE_FAILED. */
  PODVISOR_STORE_BUSY_MS: z.coerce.number().int().positive().default(30_000),
});

export interface PodvisorConfig {
  home: string;
  databaseUrl: string;
  runRoot: string;
  lockDir: string;
  lockWaitMs: number;
  logLevel: string;
  /** The default allowed roots for host paths (admins may replace them in the settings). */
  hostPathRoots: string[];
  sessionTtlMs: number;
  sessionIdleMs: number;
  storeBusyMs: number;
}

/** The project's own guest assets and rootfs folders: the only host paths a fresh install accepts. */
export const DEFAULT_HOST_PATH_ROOTS = [
  process.env['PODVISOR_GUEST_DIR'] ?? path.join(REPO_ROOT, 'var', 'guest'),
  path.join(REPO_ROOT, 'var', 'rootfs'),
];

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
    hostPathRoots: e.PODVISOR_HOST_PATH_ROOTS ? e.PODVISOR_HOST_PATH_ROOTS.split(':').filter(Boolean).map((p) => path.resolve(p)) : DEFAULT_HOST_PATH_ROOTS,
    sessionTtlMs: e.PODVISOR_SESSION_TTL_MINUTES * 60_000,
    sessionIdleMs: e.PODVISOR_SESSION_IDLE_MINUTES * 60_000,
    storeBusyMs: e.PODVISOR_STORE_BUSY_MS,
  };
}
