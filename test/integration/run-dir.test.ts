// A run directory with a bind mount still inside is removed without touching the mounted files.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { mountsBelow, removeRunDirSafely } from '../../server/engine/run-dir.js';

it('detaches bind mounts before deleting, and keeps what they point at', async () => {
  const top = mkdtempSync(path.join(tmpdir(), 'pv-rundir-'));
  const precious = path.join(top, 'rootfs');
  const runDir = path.join(top, 'run', 'pod');
  mkdirSync(precious);
  writeFileSync(path.join(precious, 'keep.txt'), 'user data');
  const target = path.join(runDir, 'shared', 'c1', 'rootfs');
  mkdirSync(target, { recursive: true });
  await execa('mount', ['--bind', precious, target]);
  try {
    expect(await mountsBelow(runDir)).toEqual([target]);
    await removeRunDirSafely(runDir);
    expect(existsSync(runDir)).toBe(false);
    expect(readFileSync(path.join(precious, 'keep.txt'), 'utf8')).toBe('user data');
  } finally {
    await execa('umount', [target], { reject: false });
    rmSync(top, { recursive: true, force: true });
  }
});
