// The guest's side of container mounts without crun: what the wire schema lets through, how bind
// sources become guest paths, and that a volume path cannot lead out of its volume (a container
// can write symlinks into a volume).
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ContainerMountSchema, type ContainerMountInput } from '../../server/guest/protocol/ops.js';
import { ociMounts } from '../../server/guest/agent/container-mounts.js';
import { buildConfig } from '../../server/guest/agent/oci-spec.js';

const dir = mkdtempSync(join(tmpdir(), 'pv-gm-'));
const volume = join(dir, 'volumes/data');
mkdirSync(join(volume, 'sub'), { recursive: true });
writeFileSync(join(volume, 'file'), '');
symlinkSync('/etc', join(volume, 'escape'));
symlinkSync('sub', join(volume, 'inside'));
const where = { sharedDir: join(dir, 'shared'), volumes: new Map([['data', volume]]) };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const parse = (m: ContainerMountInput) => ContainerMountSchema.parse(m);
const valid = (m: ContainerMountInput) => ContainerMountSchema.safeParse(m).success;

describe('container mounts in the guest', () => {
  it('lets only binds have path sources, and no filesystem turn into a bind', () => {
    expect(valid({ destination: '/d', type: 'bind', source: { kind: 'label', label: '/' } })).toBe(false);
    expect(valid({ destination: '/d', type: 'tmpfs', source: { kind: 'label', label: 'tmpfs' }, options: ['rbind'] })).toBe(false);
    expect(valid({ destination: '/d', type: 'tmpfs', source: { kind: 'shared', name: 'x' } })).toBe(false);
    expect(valid({ destination: '/d', type: 'bind', source: { kind: 'shared', name: '../etc' } })).toBe(false);
    expect(valid({ destination: '/d', type: 'bind', source: { kind: 'volume', tag: 'data', path: '../x' } })).toBe(false);
    expect(valid({ destination: '/d', type: 'bind', source: { kind: 'volume', tag: 'data', path: '/etc' } })).toBe(false);
    expect(valid({ destination: '/d/../proc', type: 'tmpfs', source: { kind: 'label', label: 'tmpfs' } })).toBe(false);
    expect(valid({ destination: '/d', type: 'bind', source: { kind: 'volume', tag: 'data', path: 'sub/x' }, options: ['ro'] })).toBe(true);
  });

  it('resolves binds to the shared dir or the volume mount, recursive unless told, and keeps labels', async () => {
    const mounts = await ociMounts(
      [
        parse({ destination: '/s/', type: 'bind', source: { kind: 'shared', name: 'c-0123456789abcdef-s' }, options: ['ro'] }),
        parse({ destination: '/v', type: 'bind', source: { kind: 'volume', tag: 'data', path: 'inside' }, options: ['bind'] }),
        parse({ destination: '/t', type: 'tmpfs', source: { kind: 'label', label: 'tmpfs' }, options: ['size=1m'] }),
      ],
      where,
    );
    expect(mounts).toEqual([
      { destination: '/s', type: 'bind', source: join(where.sharedDir, 'c-0123456789abcdef-s'), options: ['rbind', 'ro'] },
      { destination: '/v', type: 'bind', source: join(volume, 'sub'), options: ['bind'] },
      { destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] },
    ]);
  });

  it('refuses a volume path that leads out of the volume, a missing one and an unknown volume', async () => {
    const bind = (tag: string, path: string) => [parse({ destination: '/d', type: 'bind', source: { kind: 'volume', tag, path } })];
    await expect(ociMounts(bind('data', 'escape'), where)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('leads out of the volume') });
    await expect(ociMounts(bind('data', 'missing'), where)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('ENOENT') });
    await expect(ociMounts(bind('logs', ''), where)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('not mounted') });
  });

  it('a container mount replaces the default at its destination, and parents mount first', () => {
    const config = buildConfig({
      containerId: 'c',
      rootfs: '/r',
      readonlyRootfs: false,
      hostname: 'h',
      process: {},
      networkFiles: null,
      mounts: [
        { destination: '/data/logs', type: 'tmpfs', source: 'tmpfs' },
        { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['size=2m'] },
        { destination: '/data', type: 'tmpfs', source: 'tmpfs' },
      ],
    }) as { mounts: { destination: string; options?: string[] }[] };
    const destinations = config.mounts.map((m) => m.destination);
    expect(destinations.filter((d) => d === '/dev/shm')).toHaveLength(1);
    expect(config.mounts.find((m) => m.destination === '/dev/shm')?.options).toEqual(['size=2m']);
    expect(destinations.indexOf('/data')).toBeLessThan(destinations.indexOf('/data/logs'));
    expect(destinations.indexOf('/dev')).toBeLessThan(destinations.indexOf('/dev/pts'));
  });
});
