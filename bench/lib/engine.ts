// A throwaway engine for benches: its own SQLite store, run and lock dirs, and a copy of the busybox
// test rootfs, all in one temp dir the caller removes (rmSync(dir)) after vc.close().
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createEngine, type EngineOptions } from '../../server/engine/index.js';
import { openSqliteStore } from '../../server/engine/store/prisma-store.js';

/** `extra`: engine options a bench varies (e.g. `templates: { enabled: false }`). */
export function benchEngine(prefix: string, extra: Partial<EngineOptions> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const rootfs = path.join(dir, 'rootfs');
  cpSync(new URL('../../var/rootfs/busybox', import.meta.url).pathname, rootfs, { recursive: true, verbatimSymlinks: true });
  const vc = createEngine({
    store: openSqliteStore(`file:${path.join(dir, 'bench.db')}`),
    runRoot: path.join(dir, 'run'),
    lockDir: path.join(dir, 'locks'),
    log: pino({ level: 'warn' }),
    hostPathRoots: [dir],
    ...extra,
  });
  return { dir, rootfs, vc };
}
