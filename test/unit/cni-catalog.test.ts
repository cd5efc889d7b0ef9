// The CNI networks the console offers: what a temp config dir defines, read as the driver reads it,
// the default network even before its first use, and the files the driver would pass over.
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listCniNetworks } from '../../server/engine/drivers/network/catalog.js';
import type { CniOptions } from '../../server/engine/drivers/network/cni-config.js';

let dir: string;
let opts: CniOptions;
const put = (name: string, value: unknown) => writeFile(path.join(dir, name), typeof value === 'string' ? value : JSON.stringify(value));

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pv-cni-catalog-'));
  opts = { confDir: dir, pluginDirs: ['/nonexistent'], cacheDir: path.join(dir, 'cache') };
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('listCniNetworks', () => {
  it('offers the default network on a host with no config dir, and writes nothing', async () => {
    opts.confDir = path.join(dir, 'missing');
    expect(await listCniNetworks(opts)).toEqual({
      confDir: opts.confDir,
      networks: [{ name: 'podvisor0', file: '', isDefault: true, plugins: [], subnets: [], problem: null }],
      ignored: [],
    });
    expect(await readdir(dir)).toEqual([]);
  });

  it('lists lists and single-plugin confs with their plugin types and subnets of both families, the default first', async () => {
    await put('10-lab.conflist', {
      cniVersion: '1.0.0', name: 'lab',
      plugins: [{ type: 'bridge', ipam: { type: 'host-local', ranges: [[{ subnet: '10.1.0.0/24' }, { subnet: '10.1.1.0/24' }], [{ subnet: 'fd00:1::/64' }]] } }, { type: 'portmap' }],
    });
    await put('20-flat.conf', { cniVersion: '0.4.0', name: 'flat', type: 'macvlan', ipam: { type: 'host-local', subnet: '192.168.7.0/24' } });
    await put('podvisor0.conflist', { cniVersion: '1.0.0', name: 'podvisor0', plugins: [{ type: 'bridge', ipam: { ranges: [[{ subnet: '10.209.0.0/24' }], [{ subnet: 'fd70:7076::/64' }]] } }] });
    await put('README.md', 'not a config');
    const { networks, ignored } = await listCniNetworks(opts);
    expect(networks).toEqual([
      { name: 'podvisor0', file: path.join(dir, 'podvisor0.conflist'), isDefault: true, plugins: ['bridge'], subnets: ['10.209.0.0/24', 'fd70:7076::/64'], problem: null },
      { name: 'flat', file: path.join(dir, '20-flat.conf'), isDefault: false, plugins: ['macvlan'], subnets: ['192.168.7.0/24'], problem: null },
      { name: 'lab', file: path.join(dir, '10-lab.conflist'), isDefault: false, plugins: ['bridge', 'portmap'], subnets: ['10.1.0.0/24', '10.1.1.0/24', 'fd00:1::/64'], problem: null },
    ]);
    expect(ignored).toEqual([]);
  });

  it('names the files the driver passes over and the networks it would refuse', async () => {
    await put('01-broken.conflist', '{ not json');
    await put('02-nameless.conflist', { cniVersion: '1.0.0', plugins: [{ type: 'bridge' }] });
    await put('03-empty.conflist', { cniVersion: '1.0.0', name: 'empty', plugins: [] });
    await put('04-lab.conflist', { cniVersion: '1.0.0', name: 'lab', plugins: [{ type: 'bridge' }] });
    await put('05-lab-again.conf', { cniVersion: '1.0.0', name: 'lab', type: 'ptp' });
    const { networks, ignored } = await listCniNetworks(opts);
    expect(ignored).toEqual([
      { file: path.join(dir, '01-broken.conflist'), reason: expect.stringMatching(/JSON/) },
      { file: path.join(dir, '02-nameless.conflist'), reason: 'has no network name' },
      { file: path.join(dir, '05-lab-again.conf'), reason: `network "lab" is already defined in ${path.join(dir, '04-lab.conflist')}` },
    ]);
    expect(networks.map((n) => [n.name, n.plugins, n.problem])).toEqual([
      ['podvisor0', [], null],
      ['empty', [], expect.stringContaining('plugins: must name at least one plugin')],
      ['lab', ['bridge'], null],
    ]);
  });

  it('reports the default network unusable when its file is taken, as the driver then refuses to write it', async () => {
    await put('podvisor0.conflist', '{ half a file');
    const [first] = (await listCniNetworks(opts)).networks;
    expect(first).toMatchObject({ name: 'podvisor0', isDefault: true, problem: expect.stringContaining('podvisor0.conflist: ') });
    await put('podvisor0.conflist', { cniVersion: '1.0.0', name: 'other', plugins: [{ type: 'bridge' }] });
    expect((await listCniNetworks(opts)).networks[0]).toMatchObject({ name: 'podvisor0', problem: expect.stringContaining('defines another network') });
  });
});
