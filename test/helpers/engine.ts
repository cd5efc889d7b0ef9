// A throw-away engine on a fresh SQLite file and temp run/lock dirs, disposed after each test.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { createEngine, type VC } from '../../server/engine/index.js';
import { openSqliteStore } from '../../server/engine/store/prisma-store.js';

export interface TestEngine extends AsyncDisposable {
  vc: VC;
  dir: string;
  /** A second engine on the same database, as another process (CLI vs console) would have. */
  open(): VC;
}

export function testEngine(opts: { lockWaitMs?: number } = {}): TestEngine {
  const dir = mkdtempSync(path.join(tmpdir(), 'pv-'));
  const opened: VC[] = [];
  const open = () => {
    const vc = createEngine({
      store: openSqliteStore(`file:${path.join(dir, 'podvisor.db')}`),
      runRoot: path.join(dir, 'run'),
      lockDir: path.join(dir, 'locks'),
      lockWaitMs: opts.lockWaitMs ?? 10_000,
      lockStaleMs: 2_000,
      log: pino({ level: 'silent' }),
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
  return { id, rootFs: '/tmp/rootfs', cmd: { args: ['/bin/sh'] } };
}
