// What the device patterns allow: every existing path they match now, resolved, on a real tree
// (regular files stand in for device nodes: the matcher only resolves; host-paths.ts asks it only
// about paths that are device nodes).
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { allowedDevices } from '../../server/engine/host-devices.js';

const root = realpathSync(mkdtempSync(path.join(tmpdir(), 'pv-devpat-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const at = (...p: string[]) => path.join(root, ...p);
for (const f of ['loop0', 'loop1', 'loop-control', 'sda', 'nested/a/disk', 'nested/b/c/disk', '.hidden']) {
  mkdirSync(path.dirname(at(f)), { recursive: true });
  writeFileSync(at(f), '');
}
mkdirSync(at('by-id'));
symlinkSync('../sda', at('by-id', 'ata-disk'));
symlinkSync('../missing', at('by-id', 'dangling'));

describe('allowedDevices', () => {
  it('matches a glob within one directory, without the dot files', async () => {
    expect([...(await allowedDevices([at('loop?')]))].sort()).toEqual([at('loop0'), at('loop1')]);
    expect(await allowedDevices([at('*')])).not.toContain(at('.hidden'));
  });

  it('resolves links the pattern matches to their targets, and drops dangling ones', async () => {
    expect([...(await allowedDevices([at('by-id', '*')]))]).toEqual([at('sda')]);
  });

  it('takes a literal path as it resolves, and ** across directories', async () => {
    expect([...(await allowedDevices([at('by-id', 'ata-disk'), at('nope')]))]).toEqual([at('sda')]);
    expect([...(await allowedDevices([at('nested', '**', 'disk')]))].sort()).toEqual([at('nested/a/disk'), at('nested/b/c/disk')]);
    expect(await allowedDevices([])).toEqual(new Set());
  });
});
