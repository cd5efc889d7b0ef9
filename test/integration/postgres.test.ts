// The same engine on PostgreSQL (a real server started for the test): migrations apply once,
// the lifecycle works and records survive reopening the store.
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mockVmFile } from '../../server/engine/drivers/hypervisor/mock.js';
import { createEngine, runDirFor } from '../../server/engine/index.js';
import { openStore } from '../../server/engine/store/prisma-store.js';
import { mockPod, testHostPathRoots } from '../helpers/engine.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';

let pg: TestPostgres;
let dir: string;
beforeAll(async () => {
  pg = await startPostgres();
  dir = mkdtempSync(path.join(tmpdir(), 'pv-'));
}, 60_000);
afterAll(async () => {
  await pg?.[Symbol.asyncDispose]();
  rmSync(dir, { recursive: true, force: true });
});

const engineOn = async (url: string) =>
  createEngine({ store: await openStore(url), runRoot: path.join(dir, 'run'), lockDir: path.join(dir, 'locks'), log: pino({ level: 'silent' }), hostPathRoots: testHostPathRoots(dir) });

describe('PostgreSQL store', () => {
  it('keeps the models of both schemas identical', () => {
    const models = (file: string) => readFileSync(file, 'utf8').slice(readFileSync(file, 'utf8').indexOf('model '));
    expect(models('prisma/postgresql/schema.prisma')).toBe(models('prisma/schema.prisma'));
  });

  it('runs the lifecycle and keeps records across a reopen', async () => {
    const [a, b] = await Promise.all([engineOn(pg.url), engineOn(pg.url)]); // two processes migrating at once
    await a.runPod({ ...mockPod('pgpod', 2), annotations: { db: 'postgres' } });
    await a.stopContainer('pgpod', 'c2');
    expect(await b.statusPod('pgpod')).toEqual(await a.statusPod('pgpod'));
    await a.close();
    const c = await engineOn(pg.url);
    const status = await c.statusPod('pgpod');
    expect(status.containersStatus.map((x) => x.state)).toEqual(['running', 'stopped']);
    expect(status.annotations).toEqual({ db: 'postgres' });
    expect((await c.listPodEvents('pgpod')).map((e) => e.call)).toContain('stopContainer');
    await c.stopPod('pgpod');
    await c.deletePod('pgpod');
    expect(await b.listPod()).toEqual([]);
    await Promise.all([b.close(), c.close()]);
  });

  it('summarises every pod with when it last entered running (the same aggregate as on SQLite)', async () => {
    const vc = await engineOn(pg.url);
    await vc.runPod(mockPod('pg-run', 1));
    await vc.stopPod('pg-run');
    await vc.startPod('pg-run');
    await vc.createPod(mockPod('pg-idle', 0));
    const lastStart = (await vc.listPodEvents('pg-run')).filter((e) => e.containerId === null && e.toState === 'running').at(-1)!.time;
    const summaries = await vc.listPodSummaries();
    expect(summaries.map((s) => [s.id, s.state, s.runningSince])).toEqual([
      ['pg-run', 'running', lastStart],
      ['pg-idle', 'ready', null],
    ]);
    await vc.stopPod('pg-run');
    await vc.deletePod('pg-run');
    await vc.deletePod('pg-idle');
    await vc.close();
  });

  it('stores the host path roots an admin sets, for every process', async () => {
    const [a, b] = await Promise.all([engineOn(pg.url), engineOn(pg.url)]);
    expect(await a.setHostPathRoots([dir, dir])).toEqual([realpathSync(dir)]);
    expect(await b.hostPathRoots()).toEqual([realpathSync(dir)]);
    await Promise.all([a.close(), b.close()]);
  });

  it('restarted mid-call: calls fail with STORE_FAILED (no hang), records and VMs agree, and it all works again once the server is back', { timeout: 60_000 }, async () => {
    const vc = await engineOn(pg.url);
    await vc.setHostPathRoots(testHostPathRoots(dir)); // the test above narrowed them in this database
    const runRoot = path.join(dir, 'run');
    const vmOf = (id: string) => existsSync(mockVmFile(runDirFor(runRoot, id)));
    await vc.runPod(mockPod('before'));

    await pg.stop();
    await expect(vc.statusPod('before')).rejects.toMatchObject({ code: 'STORE_FAILED' });
    await expect(vc.runPod(mockPod('during'))).rejects.toMatchObject({ code: 'STORE_FAILED' });
    expect(vmOf('during')).toBe(false); // the VM side is rolled back with the refused call

    // Down in the middle of a call: whichever store access it hits, what it leaves must agree.
    await pg.start();
    const racing = vc.runPod(mockPod('racing')).then(() => 'ok', (err: { code?: string }) => err.code);
    await pg.stop();
    const outcome = await racing;
    await pg.start();

    // Back: no repair needed. Nothing half-written: a pod has a record exactly when its VM runs.
    expect(['ok', 'STORE_FAILED']).toContain(outcome);
    const ids = (await vc.listPod()).map((p) => p.id).sort();
    expect(ids).toEqual(outcome === 'ok' ? ['before', 'racing'] : ['before']);
    expect(['before', 'during', 'racing'].map(vmOf)).toEqual([true, false, outcome === 'ok']);
    expect((await vc.statusPod('before')).state).toBe('running');
    await vc.runPod(mockPod('after'));
    for (const id of [...ids, 'after']) {
      await vc.stopPod(id);
      await vc.deletePod(id);
    }
    expect(await vc.listPod()).toEqual([]);
    await vc.close();
  });
});
