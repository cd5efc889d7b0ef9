// The host side of pod networking, without a VM. First its logic against a scripted NetHost
// (config loading, error mapping, DEL idempotence, cleanup after a failure half way, a crash), then
// the real CNI plugins in real network namespaces: addresses of both families, macvtap and bridged
// links that carry frames, CNM, and a host left exactly as it was found. Only addresses inside the
// namespaces these tests make, and on the test bridges.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultNetworkList, loadNetworkList, portMappingsFrom, type CniOptions } from '../../server/engine/drivers/network/cni-config.js';
import { callOf, cniAdd, cniCheck, cniDel, readAttachments, writeAttachment } from '../../server/engine/drivers/network/cni.js';
import { createCniNetwork, createCnmNetwork } from '../../server/engine/drivers/network/driver.js';
import { createFakeNetHost, FAKE_FILE, type FakeNetHost } from '../../server/engine/drivers/network/fake-host.js';
import type { Network, NetworkConnection } from '../../server/engine/drivers/network/types.js';
import type { PodContext } from '../../server/engine/drivers/types.js';
import { PodConfigSchema, type PodConfigInput } from '../../server/engine/types.js';

const RUN = Math.random().toString(36).slice(2, 6);
const top = mkdtempSync(path.join(tmpdir(), 'pv-net-'));
afterAll(() => rmSync(top, { recursive: true, force: true }));

function podCtx(id: string, networkModel: 'CNI' | 'CNM', networkConfig: PodConfigInput['networkConfig'] = {}, annotations: Record<string, string> = {}): PodContext {
  const runDir = path.join(top, 'run', id);
  mkdirSync(runDir, { recursive: true });
  const config = PodConfigSchema.parse({ id, networkModel, networkConfig, annotations });
  return { id, config, runDir, runtime: { hypervisor: {}, agent: {}, network: {} }, log: pino({ level: 'silent' }) };
}

function cniDirs(name: string): CniOptions {
  const dir = path.join(top, name);
  mkdirSync(path.join(dir, 'net.d'), { recursive: true });
  return { confDir: path.join(dir, 'net.d'), pluginDirs: ['/usr/lib/cni', '/opt/cni/bin'], cacheDir: path.join(dir, 'cache') };
}
const writeConf = (o: CniOptions, file: string, content: unknown) => writeFileSync(path.join(o.confDir, file), typeof content === 'string' ? content : JSON.stringify(content));

/** prepare → connect, the way the engine persists between them. */
async function up(net: Network, pod: PodContext): Promise<NetworkConnection> {
  pod.runtime.network = await net.prepare(pod);
  const { state, connection } = await net.connect(pod);
  pod.runtime.network = state;
  return connection;
}

const refusal = (p: Promise<unknown>) => p.then(() => ({ code: 'ACCEPTED', message: '' }), (e: { code: string; message: string }) => e);

// ---------------------------------------------------------------- logic, on a scripted host
describe('network driver logic (scripted host)', () => {
  const ADD_RESULT = {
    cniVersion: '1.0.0',
    interfaces: [{ name: 'br' }, { name: 'vethx' }, { name: 'eth0', mac: 'AA:BB:CC:00:00:01', sandbox: '/run/netns/pv-f1' }],
    ips: [
      { interface: 2, address: '10.1.0.2/24', gateway: '10.1.0.1' },
      { interface: 2, address: 'fd00::2/64', gateway: 'fd00::1' },
    ],
    routes: [{ dst: '0.0.0.0/0' }, { dst: '::/0' }, { dst: '10.2.0.0/16', gw: '10.1.0.9' }],
    dns: { nameservers: ['10.1.0.53'], search: ['pods.test'] },
  };
  const LINK = [{ ifindex: 2, ifname: 'eth0', address: 'aa:bb:cc:00:00:01', mtu: 1400, link_type: 'ether', addr_info: [] }];

  function scripted(o: CniOptions): FakeNetHost {
    const fake = createFakeNetHost();
    for (const p of ['bridge', 'portmap', 'firewall']) fake.files.set(`/usr/lib/cni/${p}`, FAKE_FILE);
    fake.files.set('/usr/sbin/iptables', FAKE_FILE);
    writeConf(o, 'net.conflist', { cniVersion: '1.0.0', name: 'net', plugins: [{ type: 'bridge' }, { type: 'portmap', capabilities: { portMappings: true } }, { type: 'firewall' }] });
    fake.on(/^ADD /, (c) => ({ stdout: JSON.stringify(c.cmd.endsWith('bridge') ? ADD_RESULT : JSON.parse(c.opts.input!).prevResult) }));
    fake.on(/^ip -j -d addr show dev eth0/, { stdout: JSON.stringify(LINK) });
    fake.on(/^ip netns add (\S+)/, (c) => (fake.files.set(`/run/netns/${c.args[2]}`, FAKE_FILE), {}));
    fake.on(/^ip netns delete (\S+)/, (c) => (fake.files.delete(`/run/netns/${c.args[2]}`), {}));
    fake.on(/type macvtap/, (c) => (fake.files.set(`/dev/tap${c.args[c.args.indexOf('index') + 1]}`, { kind: 'char', major: 246, minor: 7, executable: false }), {}));
    fake.on(/^unshare/, { stdout: '246:7' });
    return fake;
  }
  const cniCommands = (fake: FakeNetHost) => fake.lines(/^(ADD|DEL|CHECK) /).map((l) => l.replace('/usr/lib/cni/', ''));

  it('connects: ADD in order with name, cniVersion, runtimeConfig and prevResult; macvtap with the CNI MAC; guest gets both families and DNS', async () => {
    const o = cniDirs('logic-ok');
    const fake = scripted(o);
    const net = createCniNetwork({ host: fake, cni: o });
    const pod = podCtx('f1', 'CNI', { cniNetwork: 'net' }, { 'io.podvisor.network/ports': '[{"hostPort":8080,"containerPort":80}]' });
    const c = await up(net, pod);
    expect(cniCommands(fake)).toEqual(['ADD bridge', 'ADD portmap', 'ADD firewall']);
    const stdins = fake.calls.filter((x) => x.opts.env?.['CNI_COMMAND']).map((x) => JSON.parse(x.opts.input!));
    expect(stdins[0]).toMatchObject({ name: 'net', cniVersion: '1.0.0', type: 'bridge' });
    expect(stdins[0].prevResult).toBeUndefined();
    expect(stdins[1]).toMatchObject({ runtimeConfig: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] }, prevResult: ADD_RESULT });
    expect(stdins[2].runtimeConfig).toBeUndefined(); // firewall declares no capability
    expect(fake.calls[fake.calls.findIndex((x) => x.opts.env?.['CNI_COMMAND'])]!.opts.env).toMatchObject({ CNI_CONTAINERID: 'f1', CNI_NETNS: '/run/netns/pv-f1', CNI_IFNAME: 'eth0', CNI_PATH: '/usr/lib/cni:/opt/cni/bin' });
    expect(c.devices).toEqual([{ kind: 'nic', id: 'eth0', mac: 'aa:bb:cc:00:00:01', mtu: 1400, queues: 1, backend: { type: 'macvtap', devicePath: expect.stringMatching(/^\/dev\/tap\d+$/) } }]);
    expect(c.guest.interfaces[0]!.addresses).toEqual([{ family: 'ipv4', address: '10.1.0.2', prefixLength: 24 }, { family: 'ipv6', address: 'fd00::2', prefixLength: 64 }]);
    expect(c.guest.routes).toEqual([
      { family: 'ipv4', destination: '', gateway: '10.1.0.1', device: 'eth0' },
      { family: 'ipv6', destination: '', gateway: 'fd00::1', device: 'eth0' },
      { family: 'ipv4', destination: '10.2.0.0/16', gateway: '10.1.0.9', device: 'eth0' },
    ]);
    expect(c.guest.dns).toEqual({ nameservers: ['10.1.0.53'], search: ['pods.test'], domain: '' });
    // The veth gives up its addresses and moves to a new MAC; the macvtap is made with the original one.
    const links = fake.lines(/^ip (addr flush|link set eth0 address|link add link eth0)/);
    expect(links[0]).toBe('ip addr flush dev eth0 scope global');
    expect(links[1]).toMatch(/^ip link set eth0 address 02:00:ca:fe:[0-9a-f]{2}:[0-9a-f]{2}$/);
    expect(links[2]).toMatch(/^ip link add link eth0 name mvt0_pv index \d+ address aa:bb:cc:00:00:01 mtu 1400 type macvtap mode bridge$/);
    expect(net.info(pod)).toMatchObject({ model: 'CNI', cniNetwork: 'net', netNsCreated: true, interfaces: [{ name: 'eth0', gateways: ['10.1.0.1', 'fd00::1'], model: 'macvtap', vhost: false }] });
  });

  it('remove from persisted state alone (a fresh process): DEL in reverse with the ADD result, the netns goes; twice is fine', async () => {
    const o = cniDirs('logic-remove');
    const first = scripted(o);
    const pod = podCtx('f1', 'CNI', { cniNetwork: 'net' });
    await up(createCniNetwork({ host: first, cni: o }), pod);
    const persisted = JSON.parse(JSON.stringify(pod.runtime.network));
    const fake = scripted(o);
    fake.files.set('/run/netns/pv-f1', FAKE_FILE);
    const fresh = createCniNetwork({ host: fake, cni: o });
    const again = { ...pod, runtime: { ...pod.runtime, network: persisted } };
    await fresh.remove(again);
    await fresh.remove(again);
    expect(cniCommands(fake)).toEqual(['DEL firewall', 'DEL portmap', 'DEL bridge', 'DEL firewall', 'DEL portmap', 'DEL bridge']);
    const del = fake.calls.find((x) => x.opts.env?.['CNI_COMMAND'] === 'DEL')!;
    expect(JSON.parse(del.opts.input!).prevResult).toEqual(ADD_RESULT);
    expect(fake.lines(/^ip netns delete/)).toEqual(['ip netns delete pv-f1']); // the second remove finds it gone
    expect((await readAttachments(o.cacheDir, 'f1')).attachments).toEqual([]);
  });

  it('a crash mid-connect: the write-ahead record lets remove DEL what the lost state never held', async () => {
    const o = cniDirs('logic-crash');
    const fake = scripted(o);
    const net = createCniNetwork({ host: fake, cni: o });
    const pod = podCtx('f1', 'CNI', { cniNetwork: 'net' });
    pod.runtime.network = await net.prepare(pod);
    // What connect had recorded when the process died during the ADDs: the state holds only prepare's part.
    const list = await loadNetworkList(fake, o, 'net');
    const { file, ...listJson } = list;
    await writeAttachment(o.cacheDir, { network: 'net', file, containerId: 'f1', ifname: 'eth0', netns: '/run/netns/pv-f1', list: JSON.parse(JSON.stringify(listJson)), runtimeConfig: {}, result: ADD_RESULT });
    fake.calls.length = 0;
    await net.remove(pod);
    expect(cniCommands(fake)).toEqual(['DEL firewall', 'DEL portmap', 'DEL bridge']);
    expect(JSON.parse(fake.calls.find((x) => x.opts.env?.['CNI_COMMAND'] === 'DEL')!.opts.input!).prevResult).toEqual(ADD_RESULT);
    expect((await readAttachments(o.cacheDir, 'f1')).attachments).toEqual([]);
  });

  it('a plugin error JSON fails connect with its message, and DEL runs for every plugin', async () => {
    const o = cniDirs('logic-plugin-error');
    const fake = scripted(o);
    fake.on(/^ADD .*bridge/, { exitCode: 1, stdout: JSON.stringify({ cniVersion: '1.0.0', code: 999, msg: 'failed to allocate for range 0', details: 'no IP addresses available in range set' }) });
    const net = createCniNetwork({ host: fake, cni: o });
    const pod = podCtx('f1', 'CNI', { cniNetwork: 'net' });
    pod.runtime.network = await net.prepare(pod);
    const err = await refusal(net.connect(pod));
    expect(err.message).toMatch(/CNI network "net" \(.*net\.conflist\): plugin "bridge" ADD for eth0 failed: failed to allocate for range 0: no IP addresses available/);
    expect(cniCommands(fake)).toEqual(['ADD bridge', 'DEL firewall', 'DEL portmap', 'DEL bridge']);
    expect((await readAttachments(o.cacheDir, 'f1')).attachments).toEqual([]);
  });

  it('a failure half way through the links: the links made go, DEL gets the ADD result', async () => {
    const o = cniDirs('logic-halfway');
    const fake = scripted(o);
    fake.on(/^ip tuntap add/, { exitCode: 1, stderr: 'ioctl(TUNSETIFF): Device or resource busy' });
    const net = createCniNetwork({ host: fake, cni: o });
    const pod = podCtx('f1', 'CNI', { cniNetwork: 'net', interworkingModel: 'bridged' });
    pod.runtime.network = await net.prepare(pod);
    await expect(net.connect(pod)).rejects.toThrow(/ip tuntap add dev tap0_pv mode tap .* failed: ioctl\(TUNSETIFF\): Device or resource busy/);
    expect(cniCommands(fake)).toEqual(['ADD bridge', 'ADD portmap', 'ADD firewall', 'DEL firewall', 'DEL portmap', 'DEL bridge']);
    expect(JSON.parse(fake.calls.filter((x) => x.opts.env?.['CNI_COMMAND'] === 'DEL').at(-1)!.opts.input!).prevResult).toEqual(ADD_RESULT);
    expect(fake.lines(/^ip netns delete/)).toEqual([]); // the netns is prepare's: remove() deletes it
  });

  it('refuses before touching anything: a missing plugin, enlightened, a bad port annotation, a missing netns', async () => {
    const o = cniDirs('logic-refusals');
    const fake = scripted(o);
    writeConf(o, 'other.conflist', { cniVersion: '1.0.0', name: 'other', plugins: [{ type: 'bridge' }, { type: 'pv-nope' }] });
    const net = createCniNetwork({ host: fake, cni: o });
    const missing = podCtx('f1', 'CNI', { cniNetwork: 'other' });
    missing.runtime.network = await net.prepare(missing);
    expect(await refusal(net.connect(missing))).toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringMatching(/CNI network "other" \(.*other\.conflist\): plugin "pv-nope" is not in \/usr\/lib\/cni:\/opt\/cni\/bin/) });
    const enlightened = { ...missing, config: PodConfigSchema.parse({ id: 'f1', networkModel: 'CNI', networkConfig: { cniNetwork: 'net', interworkingModel: 'enlightened' } }) };
    expect(await refusal(net.connect(enlightened))).toMatchObject({ code: 'NOT_SUPPORTED', message: expect.stringContaining('networkConfig.interworkingModel') });
    const badPorts = { ...missing, config: PodConfigSchema.parse({ id: 'f1', networkModel: 'CNI', networkConfig: { cniNetwork: 'net' }, annotations: { 'io.podvisor.network/ports': '[{"hostPort":0}]' } }) };
    expect(await refusal(net.connect(badPorts))).toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringContaining('annotations["io.podvisor.network/ports"]: 0.hostPort') });
    expect(cniCommands(fake)).toEqual([]);
    expect(await refusal(net.prepare(podCtx('f2', 'CNI', { netNsPath: '/run/netns/pv-none' })))).toMatchObject({ code: 'INVALID_CONFIG', message: 'networkConfig.netNsPath: "/run/netns/pv-none" does not exist' });
  });

  it('finds networks by name (.conflist, .conf), names broken files, and writes the default network once', async () => {
    const o = cniDirs('logic-config');
    const fake = scripted(o);
    writeConf(o, 'single.conf', { cniVersion: '1.0.0', name: 'single', type: 'bridge', bridge: 'x0' });
    writeConf(o, 'broken.conflist', '{"name": ');
    expect(await loadNetworkList(fake, o, 'single')).toMatchObject({ name: 'single', plugins: [{ type: 'bridge', bridge: 'x0' }] });
    const err = await refusal(loadNetworkList(fake, o, 'nowhere'));
    expect(err).toMatchObject({ code: 'INVALID_CONFIG' });
    expect(err.message).toContain(`networkConfig.cniNetwork: CNI network "nowhere" is not defined in ${o.confDir}; unreadable: ${path.join(o.confDir, 'broken.conflist')}: `);
    writeConf(o, 'noplugins.conflist', { cniVersion: '1.0.0', name: 'empty', plugins: [] });
    expect(await refusal(loadNetworkList(fake, o, 'empty'))).toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringContaining('noplugins.conflist: plugins: must name at least one plugin') });
    const list = await loadNetworkList(fake, o, 'podvisor0');
    expect(list.plugins).toEqual([
      { type: 'bridge', bridge: 'pv0', isGateway: true, ipMasq: false, hairpinMode: true, ipam: { type: 'host-local', ranges: [[{ subnet: '10.209.0.0/24' }], [{ subnet: 'fd70:7076::/64' }]], routes: [{ dst: '0.0.0.0/0' }, { dst: '::/0' }] } },
      { type: 'portmap', capabilities: { portMappings: true } },
      { type: 'firewall' },
    ]);
    fake.files.delete('/usr/lib/cni/firewall');
    expect((await loadNetworkList(fake, o, 'podvisor0')).plugins).toHaveLength(3); // written once, then read
    expect(portMappingsFrom({ 'io.podvisor.network/ports': '[{"hostPort":8080,"containerPort":80,"protocol":"udp"}]' })).toEqual([{ hostPort: 8080, containerPort: 80, protocol: 'udp' }]);
    expect(() => portMappingsFrom({ 'io.podvisor.network/ports': '[{"hostPort":1,"containerPort":2},{"hostPort":1,"containerPort":3}]' })).toThrow('1.hostPort: maps 1/tcp twice');
  });

  it('CNM: scans the links of the netns (no loopback, none without an address), up to numInterfaces', async () => {
    const fake = createFakeNetHost();
    fake.files.set('/run/netns/theirs', FAKE_FILE);
    const addr = (local: string, prefixlen: number, scope = 'global') => ({ family: local.includes(':') ? 'inet6' : 'inet', local, prefixlen, scope });
    fake.on(/^ip -j -d addr show$/, {
      stdout: JSON.stringify([
        { ifindex: 1, ifname: 'lo', mtu: 65536, link_type: 'loopback', flags: ['LOOPBACK'], addr_info: [addr('127.0.0.1', 8, 'host')] },
        { ifindex: 3, ifname: 'vb', address: 'AA:00:00:00:00:02', mtu: 1500, link_type: 'ether', addr_info: [addr('10.3.0.2', 24), addr('fe80::1', 64, 'link')] },
        { ifindex: 2, ifname: 'va', address: 'aa:00:00:00:00:01', mtu: 9000, link_type: 'ether', addr_info: [addr('fd03::2', 64), addr('10.4.0.2', 24)] },
        { ifindex: 4, ifname: 'bare', address: 'aa:00:00:00:00:03', mtu: 1500, link_type: 'ether', addr_info: [addr('fe80::3', 64, 'link')] },
      ]),
    });
    fake.on(/^ip -j -4 route show dev va/, { stdout: '[{"dst":"default","gateway":"10.4.0.1"},{"dst":"10.4.0.0/24","protocol":"kernel"}]' });
    fake.on(/^ip -j -6 route show dev va/, { stdout: '[{"dst":"fe80::/64","protocol":"kernel"},{"dst":"default","gateway":"fd03::1"}]' });
    fake.on(/type macvtap/, (c) => (fake.files.set(`/dev/tap${c.args[c.args.indexOf('index') + 1]}`, { kind: 'char', major: 246, minor: 1, executable: false }), {}));
    fake.on(/^unshare/, { stdout: '246:1' });
    const net = createCnmNetwork({ host: fake, cni: cniDirs('logic-cnm') });
    const pod = podCtx('f3', 'CNM', { netNsPath: '/run/netns/theirs', numInterfaces: 1 });
    const c = await up(net, pod);
    expect(c.guest).toEqual({
      interfaces: [{ name: 'eth0', mac: 'aa:00:00:00:00:01', mtu: 9000, addresses: [{ family: 'ipv6', address: 'fd03::2', prefixLength: 64 }, { family: 'ipv4', address: '10.4.0.2', prefixLength: 24 }] }],
      routes: [{ family: 'ipv4', destination: '', gateway: '10.4.0.1', device: 'eth0' }, { family: 'ipv6', destination: '', gateway: 'fd03::1', device: 'eth0' }],
      dns: { nameservers: [], search: [], domain: '' },
    });
    fake.calls.length = 0;
    await net.remove(pod);
    // Their link gets its MAC, IPv6, addresses and routes back; their netns stays.
    expect(fake.lines(/^(ip|sysctl)/).filter((l) => !l.startsWith('ip -j'))).toEqual([
      'ip link set va nomaster',
      'ip link set va address aa:00:00:00:00:01',
      'sysctl -qw net/ipv6/conf/va/disable_ipv6=0',
      'ip addr replace fd03::2/64 dev va nodad',
      'ip addr replace 10.4.0.2/24 dev va',
      'ip -4 route replace default via 10.4.0.1 dev va',
      'ip -6 route replace default via fd03::1 dev va',
    ]);
  });
});
