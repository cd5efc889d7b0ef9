// Runs one engine call in its own process, on the database and dirs of a test engine, and prints
// its outcome as JSON. Used to prove what happens when processes race on one pod, and (with
// PODVISOR_FAULT set: a fake host applies it) when the process dies at a step of a call.
import path from 'node:path';
import pino from 'pino';
import { FAULT_ENV } from '../../server/engine/host/faults.js';
import { createFakeHost } from '../../server/engine/host/fake.js';
import { createEngine } from '../../server/engine/index.js';
import { openSqliteStore } from '../../server/engine/store/prisma-store.js';
import { testHostPathRoots } from './engine.js';

const [dir, call, ...args] = process.argv.slice(2) as [string, string, ...string[]];
const vc = createEngine({
  store: openSqliteStore(`file:${path.join(dir, 'podvisor.db')}`),
  runRoot: path.join(dir, 'run'),
  lockDir: path.join(dir, 'locks'),
  lockWaitMs: Number(process.env['LOCK_WAIT_MS'] ?? 10_000),
  lockStaleMs: 2_000,
  log: pino({ level: 'silent' }),
  hostPathRoots: testHostPathRoots(dir),
  ...(process.env[FAULT_ENV] ? { host: createFakeHost() } : {}),
});
const parsed = args.map((a) => (a.startsWith('{') ? JSON.parse(a) : a));
try {
  const result = await (vc as unknown as Record<string, (...a: unknown[]) => Promise<{ id?: () => string; state?: () => string }>>)[call]!(...parsed);
  console.log(JSON.stringify({ ok: true, state: result?.state?.() ?? null }));
} catch (err) {
  console.log(JSON.stringify({ ok: false, code: (err as { code?: string }).code, message: (err as Error).message }));
} finally {
  await vc.close();
}
