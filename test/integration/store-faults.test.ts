// Store faults on a real SQLite file (issue 16 item 4): the database's disk full (a small tmpfs the
// test mounts under the database) and the file locked by another process. Each call fails with
// STORE_FAILED and leaves no half-written record, the VM side is rolled back to what the store
// says, and once the fault clears the same calls work with no repair.
import { execa, type ResultPromise } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine, type VC } from '../../server/engine/index.js';
import { openSqliteStore } from '../../server/engine/store/prisma-store.js';
import { mockPod, testHostPathRoots } from '../helpers/engine.js';

const BUSY_MS = 1_000;

function engineOn(dir: string, dbFile: string): VC {
  return createEngine({
    store: openSqliteStore(`file:${dbFile}`, { busyTimeoutMs: BUSY_MS }),
    runRoot: path.join(dir, 'run'),
    lockDir: path.join(dir, 'locks'),
    lockWaitMs: 10_000,
    lockStaleMs: 2_000,
    log: pino({ level: 'silent' }),
    hostPathRoots: testHostPathRoots(dir),
  });
}

/** A pod whose record is too big to fit in what is left of a full disk's write-ahead log. */
const bulkyPod = (id: string) => ({ ...mockPod(id), annotations: { ballast: 'x'.repeat(512 * 1024) } });

const podsIn = async (vc: VC) => (await vc.listPod()).map((p) => `${p.id}:${p.state}`).sort();

describe('the database disk full (tmpfs of 4 MiB under the SQLite file)', () => {
  let dir: string;
  let dbDir: string;
  let vc: VC;
  const ballast = () => path.join(dbDir, 'ballast');

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pv-store-full-'));
    dbDir = path.join(dir, 'db');
    mkdirSync(dbDir);
    await execa('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'pv-store-full', dbDir]);
    vc = engineOn(dir, path.join(dbDir, 'podvisor.db'));
    await vc.createPod(mockPod('before'));
  });

  afterAll(async () => {
    await vc?.close();
    await execa('umount', [dbDir], { reject: false });
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses new records with STORE_FAILED, again on the next call (no hang), keeps reads true, and recovers when space returns', async () => {
    // Fill what is left of the tmpfs; dd stops at ENOSPC.
    await execa('dd', ['if=/dev/zero', `of=${ballast()}`, 'bs=64k'], { reject: false });

    await expect(vc.createPod(bulkyPod('full'))).rejects.toMatchObject({ code: 'STORE_FAILED', message: expect.stringContaining('save pod "full"') });
    // Nothing half-written, nothing of its VM left on the host.
    expect(await podsIn(vc)).toEqual(['before:ready']);
    expect(existsSync(path.join(dir, 'run', 'full'))).toBe(false);

    // The next write fails the same way instead of waiting forever: after a failed COMMIT the
    // SQLite adapter's connection is replaced (prisma/orm#29933, see prisma-store.ts).
    await expect(vc.createPod(bulkyPod('full-again'))).rejects.toMatchObject({ code: 'STORE_FAILED' });
    expect((await vc.statusPod('before')).state).toBe('ready');

    rmSync(ballast());
    await vc.createPod(bulkyPod('full'));
    await vc.startPod('before');
    expect(await podsIn(vc)).toEqual(['before:running', 'full:ready']);
  });
});

describe('the database file locked by another process', () => {
  let dir: string;
  let dbFile: string;
  let vc: VC;
  let holder: ResultPromise | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pv-store-locked-'));
    dbFile = path.join(dir, 'podvisor.db');
    vc = engineOn(dir, dbFile);
    await vc.createPod(mockPod('existing'));
  });

  afterAll(async () => {
    holder?.kill('SIGKILL');
    await holder?.catch(() => undefined);
    await vc?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails writes with STORE_FAILED after the busy timeout, serves reads meanwhile, and works once the lock is gone', async () => {
    // Another program (sqlite3, a backup tool…) holding a write transaction open.
    const script = path.join(dir, 'hold-lock.cjs');
    writeFileSync(
      script,
      `const db = new (require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))}))(process.argv[2]);
       db.exec('BEGIN IMMEDIATE'); db.prepare('UPDATE Generation SET value = value WHERE id = 1').run();
       process.stdout.write('locked\\n'); setInterval(() => {}, 1000);`,
    );
    holder = execa('node', [script, dbFile]);
    await new Promise<void>((resolve, reject) => {
      holder!.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
      holder!.catch(reject);
    });

    await expect(vc.createPod(mockPod('blocked'))).rejects.toMatchObject({ code: 'STORE_FAILED' });
    expect(await podsIn(vc)).toEqual(['existing:ready']); // WAL: reads are not blocked by a writer
    expect(readdirSync(path.join(dir, 'run')).filter((d) => d === 'blocked')).toEqual([]);

    holder.kill('SIGKILL');
    await holder.catch(() => undefined);
    holder = undefined;
    await vc.createPod(mockPod('blocked'));
    expect(await podsIn(vc)).toEqual(['blocked:ready', 'existing:ready']);
  });
});
