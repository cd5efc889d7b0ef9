// A throw-away engine on a fresh SQLite file and temp run/lock dirs, disposed after each test.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { DEFAULT_HOST_PATH_ROOTS } from '../../server/config.js';
import type { Host } from '../../server/engine/host/types.js';
import { createEngine, type VC } from '../../server/engine/index.js';
import { openSqliteStore } from '../../server/engine/store/prisma-store.js';

export interface TestEngine extends AsyncDisposable {
  vc: VC;
  dir: string;
  /** A second engine on the same database, as another process (CLI vs console) would have. */
  open(): VC;
}

/** The rootfs of mock containers: it must exist and be allowed, but the mock drivers never look inside. */
export const MOCK_ROOTFS = path.join(tmpdir(), 'pv-mock-rootfs');
mkdirSync(MOCK_ROOTFS, { recursive: true });

/** The host paths a test engine accepts: its own dir, the mock rootfs, the repo's guest assets and rootfs, and `extra`. */
export function testHostPathRoots(dir: string, extra: string[] = []): string[] {
  return [dir, MOCK_ROOTFS, ...DEFAULT_HOST_PATH_ROOTS, ...extra];
}

/** `hostPathRoots`: allowed folders besides those of testHostPathRoots (e.g. rootfs copies); `host`: a fake host; lock timings short unless given. */
export function testEngine(opts: { lockWaitMs?: number; lockStaleMs?: number; hostPathRoots?: string[]; host?: Host } = {}): TestEngine {
  const dir = mkdtempSync(path.join(tmpdir(), 'pv-'));
  const opened: VC[] = [];
  const open = () => {
    const vc = createEngine({
      store: openSqliteStore(`file:${path.join(dir, 'podvisor.db')}`),
      runRoot: path.join(dir, 'run'),
      lockDir: path.join(dir, 'locks'),
      lockWaitMs: opts.lockWaitMs ?? 10_000,
      lockStaleMs: opts.lockStaleMs ?? 2_000,
      log: pino({ level: 'silent' }),
      hostPathRoots: testHostPathRoots(dir, opts.hostPathRoots),
      ...(opts.host ? { host: opts.host } : {}),
    });
    opened.push(vc);
    return vc;
  };
  return {
    vc: open(),
    dir,
    open,
    async [Symbol.asyncDispose]() {
      for (const vc of opened) await vc.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A mock/noop pod config with `n` containers, for engine-logic tests. */
export function mockPod(id: string, containers = 1) {
  return {
    id,
    hypervisorType: 'mock' as const,
    agentType: 'noop' as const,
    containers: Array.from({ length: containers }, (_, i) => mockContainer(`c${i + 1}`)),
  };
}

export function mockContainer(id: string) {
  return { id, rootFs: MOCK_ROOTFS, cmd: { args: ['/bin/sh'] } };
}
