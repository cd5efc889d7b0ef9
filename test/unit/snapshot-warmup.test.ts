// The agent's warm-up for its V8 snapshot (guest/agent/snapshot-warmup.ts) runs on the machine that
// builds the snapshot: it must leave nothing behind and run no runtime, only compile the paths.
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { warmUpForSnapshot } from '../../server/guest/agent/snapshot-warmup.js';

let dir: string;
beforeEach(async () => (dir = await mkdtemp('/tmp/pv-warmunit-')));
afterEach(() => rm(dir, { recursive: true, force: true }));

it('answers the handshake, Check, Version and refusals, runs no crun and writes nothing', async () => {
  // A "crun" that leaves a mark if anything runs it.
  const crun = join(dir, 'crun');
  await writeFile(crun, `#!/bin/sh\ntouch ${join(dir, 'crun-ran')}\n`);
  await chmod(crun, 0o755);
  const stateDir = join(dir, 'state');
  await warmUpForSnapshot({
    runtime: { crun, crunGlobalArgs: [], noPivot: false, script: null, stty: 'stty' },
    stateDir,
    sharedDir: join(dir, 'shared'),
    mountStorages: true,
    volumesDir: join(dir, 'volumes'),
    volumeExports: null,
    setHostname: true,
    network: { ip: join(dir, 'ip'), sysClassNet: join(dir, 'net'), filesDir: join(dir, 'files') },
  });
  expect(await readdir(dir)).toEqual(['crun']);
  expect(existsSync(stateDir)).toBe(false);
});
