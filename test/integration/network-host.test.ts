// The host side of pod networking, without a VM. First its logic against a scripted NetHost
// (config loading, error mapping, DEL idempotence, cleanup after a failure half way, a crash), then
// the real CNI plugins in real network namespaces: addresses of both families, macvtap and bridged
// links that carry frames, CNM, and a host left exactly as it was found. Only addresses inside the
// namespaces these tests make, and on the test bridges.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultNetworkList, loadNetworkList, portMappingsFrom, type CniOptions } from '../../server/engine/drivers/network/cni-config.js';
import { cniAdd, cniCheck, cniDel } from '../../server/engine/drivers/network/cni.js';
import { readAttachments, writeAttachment } from '../../server/engine/drivers/network/records.js';
import { createCniNetwork, createCnmNetwork } from '../../server/engine/drivers/network/driver.js';
import { createFakeNetHost, FAKE_FILE, type FakeNetHost } from '../../server/engine/drivers/network/fake-host.js';
import { linuxNetHost } from '../../server/engine/drivers/network/host.js';
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

/** Every pod brought up, so that a failed test's pods are removed all the same (afterAll). */
const live: { net: Network; pod: PodContext }[] = [];

/** prepare → connect, the way the engine persists between them. */
async function up(net: Network, pod: PodContext): Promise<NetworkConnection> {
  live.push({ net, pod });
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

  it('a crash mid-connect, state lost: the write-ahead records let remove DEL and delete the netns all the same', async () => {
    const o = cniDirs('logic-crash');
    const fake = scripted(o);
    const net = createCniNetwork({ host: fake, cni: o });
    const pod = podCtx('f1', 'CNI', { cniNetwork: 'net' });
    pod.runtime.network = await net.prepare(pod);
    // What connect had recorded when the process died during the ADDs: the state holds only prepare's part.
    const list = await loadNetworkList(fake, o, 'net');
    const { file, ...listJson } = list;
    await writeAttachment(o.cacheDir, { network: 'net', file, containerId: 'f1', ifname: 'eth0', netns: '/run/netns/pv-f1', list: JSON.parse(JSON.stringify(listJson)), runtimeConfig: {}, result: JSON.parse(JSON.stringify(ADD_RESULT)) });
    fake.calls.length = 0;
    pod.runtime.network = {}; // not even prepare's state reached the store
    await net.remove(pod);
    expect(cniCommands(fake)).toEqual(['DEL firewall', 'DEL portmap', 'DEL bridge']);
    expect(fake.lines(/^ip netns delete/)).toEqual(['ip netns delete pv-f1']);
    expect(readdirSync(o.cacheDir)).toEqual([]);
    expect(JSON.parse(fake.calls.find((x) => x.opts.env?.['CNI_COMMAND'] === 'DEL')!.opts.input!).prevResult).toEqual(ADD_RESULT);
    expect((await readAttachments(o.cacheDir, 'f1')).attachments).toEqual([]);
  });

  it("a netns named like the pod's but without our record is another install's: prepare refuses, remove leaves it", async () => {
    const o = cniDirs('logic-foreign');
    const fake = scripted(o);
    fake.files.set('/run/netns/pv-f1', FAKE_FILE);
    const net = createCniNetwork({ host: fake, cni: o });
    const pod = podCtx('f1', 'CNI', { cniNetwork: 'net' });
    expect(await refusal(net.prepare(pod))).toMatchObject({ code: 'NETWORK_FAILED', message: expect.stringContaining('network namespace pv-f1 exists but is not this Podvisor\'s') });
    await net.remove(pod);
    expect(fake.lines(/^ip netns/)).toEqual([]);
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

// ---------------------------------------------------------------- the real plugins, in real namespaces
const sh = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const canRun = process.getuid?.() === 0 && existsSync('/usr/lib/cni/bridge') && existsSync('/usr/lib/cni/firewall');
const hasPython = (() => {
  try {
    return sh('python3', ['-c', 'print(1)']).trim() === '1';
  } catch {
    return false;
  }
})();

/** A stand-in for the guest on the NIC's host end: ARP and neighbour solicitation for the gateway; prints who answered. */
const PROBE = String.raw`
import fcntl, json, os, select, socket, struct, sys, time
mode, dev, mac, ip4, gw4, ip6, gw6 = sys.argv[1:8]
if mode == 'tap':
    fd = os.open('/dev/net/tun', os.O_RDWR)
    fcntl.ioctl(fd, 0x400454ca, struct.pack('16sH', dev.encode(), 0x0002 | 0x1000))  # TUNSETIFF: IFF_TAP | IFF_NO_PI
    hdr = b''
else:
    fd = os.open(dev, os.O_RDWR)
    hdr = bytes(10)  # a macvtap queue starts every frame with a virtio_net_hdr
me = bytes.fromhex(mac.replace(':', ''))
def csum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff
arp = b'\xff' * 6 + me + b'\x08\x06' + struct.pack('!HHBBH', 1, 0x0800, 6, 4, 1) + me + socket.inet_aton(ip4) + bytes(6) + socket.inet_aton(gw4)
src6, tgt6 = socket.inet_pton(socket.AF_INET6, ip6), socket.inet_pton(socket.AF_INET6, gw6)
snm = bytes.fromhex('ff0200000000000000000001ff') + tgt6[13:]
icmp = struct.pack('!BBHI', 135, 0, 0, 0) + tgt6 + b'\x01\x01' + me
icmp = icmp[:2] + struct.pack('!H', csum(src6 + snm + struct.pack('!I', len(icmp)) + b'\0\0\0\x3a' + icmp)) + icmp[4:]
ns = b'\x33\x33' + snm[12:] + me + b'\x86\xdd' + struct.pack('!IHBB', 0x60000000, len(icmp), 58, 255) + src6 + snm + icmp
got, end = {}, time.time() + 10
while time.time() < end and len(got) < 2:
    os.write(fd, hdr + arp); os.write(fd, hdr + ns)
    stop = time.time() + 0.5
    while time.time() < stop:
        if not select.select([fd], [], [], 0.1)[0]: continue
        f = os.read(fd, 65536)[len(hdr):]
        if f[0:6] != me: continue
        if f[12:14] == b'\x08\x06' and f[20:22] == b'\x00\x02' and f[28:32] == socket.inet_aton(gw4): got['ipv4'] = f[22:28].hex(':')
        if f[12:14] == b'\x86\xdd' and f[20] == 58 and f[54] == 136 and f[62:78] == tgt6: got['ipv6'] = f[6:12].hex(':')
print(json.dumps(got))
`;

describe.skipIf(!canRun)('on Linux: the real CNI plugins in real network namespaces', () => {
  const o = cniDirs('real');
  const NET = `pvt${RUN}`;
  const BRIDGE = `pvb${RUN}`;
  const SMALL = `pvs${RUN}`;
  const SMALL_BRIDGE = `pvy${RUN}`;
  const leaseDirs = [NET, SMALL].map((n) => `/var/lib/cni/networks/${n}`);
  // Subnets of their own per run: this file may run twice at once (two sessions), and two bridges with one subnet would clash.
  const K = Math.floor(Math.random() * 50);
  const [V4, V6, SMALL4] = [`10.209.${100 + K}`, `fd70:7076:${(0x100 + K).toString(16)}:`, `10.209.${200 + K}`];
  const probeFile = path.join(top, 'probe.py');
  /** Strings only this run's pods leave on the host: the run id (in pod ids and netns names), and as they appear, host veths and addresses. */
  const markers = [RUN];
  const track = (pod: PodContext) => {
    for (const a of attachmentsOf(pod)) {
      markers.push(...a.result.interfaces.filter((i) => !i.sandbox).map((i) => i.name));
      for (const { address } of a.result.ips) markers.push(...['/', ':'].map((end) => `${address.split('/')[0]}${end}`), `[${address.split('/')[0]}]`);
    }
  };
  let baseline: Snapshot;

  type Snapshot = Record<'netns' | 'links' | 'leases' | 'rules', string[]>;
  function snapshot(): Snapshot {
    const lines = (s: string) => s.split('\n').filter(Boolean);
    const rules = [sh('iptables-save', []), sh('ip6tables-save', [])].flatMap(lines).filter((l) => !l.startsWith('#'));
    return {
      netns: lines(sh('ip', ['netns', 'list'])).map((l) => l.split(' ')[0]!),
      links: lines(sh('ip', ['-o', 'link'])).map((l) => l.split(': ')[1]!.split('@')[0]!),
      leases: leaseDirs.flatMap((d) => (existsSync(d) ? readdirSync(d).map((f) => `${d}/${f}`) : [])),
      rules: rules.map((l) => l.replace(/\[\d+:\d+\]/g, '[*]')), // counters move
    };
  }
  /** What differs from the baseline and is this run's (other engineers' pods may come and go meanwhile). */
  function leftovers(now = snapshot()) {
    const out = {} as Snapshot;
    for (const k of Object.keys(now) as (keyof Snapshot)[]) {
      const [a, b] = [new Set(baseline[k]), new Set(now[k])];
      const diff = [...[...b].filter((x) => !a.has(x)).map((x) => `+${x}`), ...[...a].filter((x) => !b.has(x)).map((x) => `-${x}`)];
      out[k] = diff.filter((d) => k === 'leases' || markers.some((m) => d.includes(m)));
    }
    return out;
  }
  const NOTHING = { netns: [], links: [], leases: [], rules: [] };

  const net = () => createCniNetwork({ cni: o });
  type Result = { interfaces: { name: string; sandbox?: string; mac: string }[]; ips: { address: string }[] };
  const attachmentsOf = (pod: PodContext) => (pod.runtime.network as { attachments: { result: Result }[] }).attachments;
  const sandboxMac = (pod: PodContext) => attachmentsOf(pod)[0]!.result.interfaces.find((i) => i.sandbox)!.mac;
  const macOf = (netns: string, link: string) => JSON.parse(sh('ip', [...(netns ? ['-n', netns] : []), '-j', 'link', 'show', link]))[0].address as string;

  async function lifecycle(id: string, network: string) {
    const pod = podCtx(id, 'CNI', { cniNetwork: network });
    await up(net(), pod);
    track(pod);
    await net().remove(pod);
  }

  function probe(c: NetworkConnection) {
    const nic = c.devices[0]!;
    if (nic.kind !== 'nic') throw new Error('not a nic');
    const g = c.guest.interfaces[0]!;
    const addr = (f: string) => g.addresses.find((a) => a.family === f)!.address;
    const gw = (f: string) => c.guest.routes.find((r) => r.family === f && r.destination === '')!.gateway;
    const cmd = nic.backend.type === 'macvtap' ? ['python3', probeFile, 'macvtap', nic.backend.devicePath] : ['nsenter', `--net=${c.netNsPath}`, 'python3', probeFile, 'tap', nic.backend.ifname];
    return JSON.parse(sh(cmd[0]!, [...cmd.slice(1), g.mac, addr('ipv4'), gw('ipv4'), addr('ipv6'), gw('ipv6')])) as { ipv4?: string; ipv6?: string };
  }

  beforeAll(async () => {
    writeFileSync(probeFile, PROBE);
    const main = defaultNetworkList({ name: NET, bridge: BRIDGE, ipv4Subnet: `${V4}.0/24`, ipv6Subnet: `${V6}:/64`, firewall: true }) as { plugins: Record<string, unknown>[] };
    main.plugins[0]!['dns'] = { nameservers: [`${V4}.1`], search: ['pods.test'] };
    writeConf(o, `${NET}.conflist`, main);
    writeConf(o, `${SMALL}.conflist`, {
      cniVersion: '1.0.0', name: SMALL,
      plugins: [{ type: 'bridge', bridge: SMALL_BRIDGE, isGateway: true, ipam: { type: 'host-local', ranges: [[{ subnet: `${SMALL4}.0/30` }]] } }],
    });
    writeConf(o, 'missing-plugin.conflist', { cniVersion: '1.0.0', name: `pvm${RUN}`, plugins: [{ type: 'bridge', bridge: BRIDGE }, { type: 'pv-no-such-plugin' }] });
    writeConf(o, 'broken.conflist', `{"cniVersion": "1.0.0", "name": "pvbroken${RUN}", "plugins": [`);
    // The first pod on a network makes what outlives pods by design: the bridge, the lease dir's lock, the
    // plugins' shared chains. Made here, then the baseline; and none of it may name the pod.
    const pristine = snapshot();
    baseline = pristine;
    await lifecycle(`w${RUN}`, NET);
    await lifecycle(`x${RUN}`, SMALL);
    const warm = leftovers();
    baseline = snapshot();
    expect(warm.netns).toEqual([]);
    expect(warm.links.sort()).toEqual([`+${BRIDGE}`, `+${SMALL_BRIDGE}`]);
    expect(warm.leases.every((l) => /\/(lock|last_reserved_ip\.\d)$/.test(l))).toBe(true);
    expect(warm.rules).toEqual([]); // none names a pod's address
  }, 120_000);

  afterAll(async () => {
    for (const { net: n, pod } of live) await n.remove(pod).catch(() => {});
    // What a failed test left: spawnSync, as some of it is gone already.
    for (const ns of snapshot().netns.filter((n) => n.includes(RUN))) spawnSync('ip', ['netns', 'delete', ns]);
    for (const bridge of [BRIDGE, SMALL_BRIDGE]) spawnSync('ip', ['link', 'del', bridge]);
    for (const d of leaseDirs) rmSync(d, { recursive: true, force: true });
  });

  it('macvtap and bridged side by side: both families, different addresses, frames flow, port mapping, and nothing left after remove (twice)', async () => {
    const a = podCtx(`a${RUN}`, 'CNI', { cniNetwork: NET }, { 'io.podvisor.network/ports': '[{"hostPort":39080,"containerPort":80}]' });
    const b = podCtx(`b${RUN}`, 'CNI', { cniNetwork: NET, interworkingModel: 'bridged' });
    const [ca, cb] = [await up(net(), a), await up(net(), b)];
    track(a);
    track(b);
    const addrs = (c: NetworkConnection) => c.guest.interfaces[0]!.addresses.map((x) => `${x.address}/${x.prefixLength}`);
    const inSubnets = [expect.stringMatching(new RegExp(`^${V4.replaceAll('.', '\\.')}\\.\\d+/24$`)), expect.stringMatching(new RegExp(`^${V6}:[0-9a-f]+/64$`))];
    expect(addrs(ca)).toEqual(inSubnets);
    expect(addrs(cb)).toEqual(inSubnets);
    expect(addrs(ca).filter((x) => addrs(cb).includes(x))).toEqual([]);
    expect(ca.guest.dns).toEqual({ nameservers: [`${V4}.1`], search: ['pods.test'], domain: '' });
    expect(ca.guest.routes.map((r) => `${r.family} ${r.destination || 'default'} via ${r.gateway}`)).toEqual([`ipv4 default via ${V4}.1`, `ipv6 default via ${V6}:1`]);

    const [nicA, nicB] = [ca.devices[0]!, cb.devices[0]!];
    expect(nicA).toMatchObject({ kind: 'nic', id: 'eth0', mac: sandboxMac(a), backend: { type: 'macvtap' } });
    expect(nicB).toMatchObject({ kind: 'nic', id: 'eth0', mac: sandboxMac(b), backend: { type: 'tap', ifname: 'tap0_pv' } });
    if (nicA.kind !== 'nic' || nicA.backend.type !== 'macvtap') throw new Error('unreachable');
    expect(statSync(nicA.backend.devicePath).isCharacterDevice()).toBe(true);
    expect(sh('ip', ['-n', `pv-b${RUN}`, '-o', 'link', 'show', 'tap0_pv'])).toContain('master br0_pv');
    // The veth gave up its addresses and its MAC; the guest's MAC is the CNI one.
    expect(sh('ip', ['-n', `pv-a${RUN}`, '-o', 'addr', 'show', 'dev', 'eth0', 'scope', 'global'])).toBe('');
    expect(macOf(`pv-a${RUN}`, 'eth0')).toMatch(/^02:00:ca:fe:/);

    if (hasPython) {
      const gateway = macOf('', BRIDGE);
      expect(probe(ca)).toEqual({ ipv4: gateway, ipv6: gateway });
      expect(probe(cb)).toEqual({ ipv4: gateway, ipv6: gateway });
    }
    expect(sh('iptables-save', ['-t', 'nat'])).toContain(`--to-destination ${ca.guest.interfaces[0]!.addresses[0]!.address}:80`);
    expect(net().info(a)).toMatchObject({ model: 'CNI', cniNetwork: NET, netNsPath: `/run/netns/pv-a${RUN}`, netNsCreated: true, portMappings: [{ hostPort: 39080, containerPort: 80, protocol: 'tcp' }] });

    for (const pod of [a, b, a, b]) await net().remove(pod);
    expect(leftovers()).toEqual(NOTHING);
    expect(existsSync(nicA.backend.devicePath)).toBe(false);
  }, 60_000);

  it('numInterfaces 2: eth0 and eth1 with their own addresses, one default route per family', async () => {
    const pod = podCtx(`n${RUN}`, 'CNI', { cniNetwork: NET, numInterfaces: 2 });
    const c = await up(net(), pod);
    track(pod);
    expect(c.devices.map((d) => d.kind === 'nic' && d.id)).toEqual(['eth0', 'eth1']);
    expect(c.guest.interfaces.map((i) => i.addresses.length)).toEqual([2, 2]);
    expect(new Set(c.guest.interfaces.flatMap((i) => i.addresses.map((x) => x.address))).size).toBe(4);
    expect(c.guest.routes.filter((r) => r.destination === '').map((r) => `${r.family} ${r.device}`)).toEqual(['ipv4 eth0', 'ipv6 eth0']);
    await net().remove(pod);
    expect(leftovers()).toEqual(NOTHING);
  }, 60_000);

  it('CHECK passes with the ADD result as prevResult', async () => {
    const ns = `pvk${RUN}`;
    sh('ip', ['netns', 'add', ns]);
    try {
      const list = await loadNetworkList(linuxNetHost, o, NET);
      const call = { list, pluginDirs: o.pluginDirs, containerId: `k${RUN}`, netns: `/run/netns/${ns}`, ifname: 'eth0', runtimeConfig: {} };
      const result = await cniAdd(linuxNetHost, call);
      track({ runtime: { network: { attachments: [{ result }] } } } as unknown as PodContext);
      await cniCheck(linuxNetHost, call, result);
      await cniDel(linuxNetHost, call, result);
      await cniDel(linuxNetHost, call, result);
    } finally {
      sh('ip', ['netns', 'delete', ns]);
    }
    expect(leftovers()).toEqual(NOTHING);
  }, 60_000);

  it('CNM: a netns the test made with a veth pair is scanned and connected; remove gives the link back and keeps the netns', async () => {
    const [ns, router] = [`pvc${RUN}`, `pvr${RUN}`];
    sh('ip', ['netns', 'add', ns]);
    sh('ip', ['netns', 'add', router]);
    try {
      const inNs = (args: string[]) => sh('ip', ['-n', ns, ...args]);
      sh('ip', ['-n', router, 'link', 'add', 'vr0', 'type', 'veth', 'peer', 'name', 'vp0', 'netns', ns]);
      inNs(['link', 'add', 'bare0', 'type', 'veth', 'peer', 'name', 'bare1']); // no address: skipped
      sh('ip', ['-n', router, 'addr', 'add', '10.209.248.1/24', 'dev', 'vr0']);
      sh('ip', ['-n', router, 'addr', 'add', 'fd70:7076:f8::1/64', 'dev', 'vr0', 'nodad']);
      sh('ip', ['-n', router, 'link', 'set', 'vr0', 'up']);
      inNs(['addr', 'add', '10.209.248.2/24', 'dev', 'vp0']);
      inNs(['addr', 'add', 'fd70:7076:f8::2/64', 'dev', 'vp0', 'nodad']);
      for (const l of ['vp0', 'bare0', 'bare1', 'lo']) inNs(['link', 'set', l, 'up']);
      inNs(['route', 'add', 'default', 'via', '10.209.248.1']);
      inNs(['-6', 'route', 'add', 'default', 'via', 'fd70:7076:f8::1']);
      const before = { mac: macOf(ns, 'vp0'), addrs: inNs(['-o', 'addr', 'show', 'dev', 'vp0', 'scope', 'global']), routes: inNs(['route']) + inNs(['-6', 'route', 'show', 'default']) };

      const cnm = createCnmNetwork({ cni: o });
      const pod = podCtx(`m${RUN}`, 'CNM', { netNsPath: `/run/netns/${ns}` });
      const c = await up(cnm, pod);
      expect(c.devices).toEqual([{ kind: 'nic', id: 'eth0', mac: before.mac, mtu: 1500, queues: 1, backend: { type: 'macvtap', devicePath: expect.stringMatching(/^\/dev\/tap\d+$/) } }]);
      expect(c.guest.interfaces[0]!.addresses).toEqual([{ family: 'ipv4', address: '10.209.248.2', prefixLength: 24 }, { family: 'ipv6', address: 'fd70:7076:f8::2', prefixLength: 64 }]);
      expect(c.guest.routes).toEqual([{ family: 'ipv4', destination: '', gateway: '10.209.248.1', device: 'eth0' }, { family: 'ipv6', destination: '', gateway: 'fd70:7076:f8::1', device: 'eth0' }]);
      if (hasPython) expect(probe(c)).toEqual({ ipv4: macOf(router, 'vr0'), ipv6: macOf(router, 'vr0') });
      expect(cnm.info(pod)).toMatchObject({ model: 'CNM', netNsCreated: false, cniNetwork: '' });

      await cnm.remove(pod);
      await cnm.remove(pod);
      expect(sh('ip', ['netns', 'list'])).toContain(ns);
      expect(inNs(['-o', 'link']).split('\n').filter((l) => l.includes('_pv'))).toEqual([]);
      expect({ mac: macOf(ns, 'vp0'), addrs: inNs(['-o', 'addr', 'show', 'dev', 'vp0', 'scope', 'global']), routes: inNs(['route']) + inNs(['-6', 'route', 'show', 'default']) }).toEqual(before);
    } finally {
      sh('ip', ['netns', 'delete', ns]);
      sh('ip', ['netns', 'delete', router]);
    }
    expect(leftovers()).toEqual(NOTHING);
  }, 60_000);

  it('bad input: a missing plugin, a broken config file, an exhausted range, a netns that does not exist; each named, nothing left', async () => {
    const tried: PodContext[] = [];
    const attempt = async (id: string, networkConfig: PodConfigInput['networkConfig']) => {
      const pod = podCtx(id, 'CNI', networkConfig);
      tried.push(pod);
      return refusal(up(net(), pod));
    };
    expect(await attempt(`p${RUN}`, { cniNetwork: `pvm${RUN}` })).toMatchObject({
      code: 'INVALID_CONFIG',
      message: `CNI network "pvm${RUN}" (${path.join(o.confDir, 'missing-plugin.conflist')}): plugin "pv-no-such-plugin" is not in /usr/lib/cni:/opt/cni/bin`,
    });
    const broken = await attempt(`q${RUN}`, { cniNetwork: `pvbroken${RUN}` });
    expect(broken).toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringContaining(`CNI network "pvbroken${RUN}" is not defined in ${o.confDir}; unreadable: ${path.join(o.confDir, 'broken.conflist')}: `) });
    // A /30 holds one pod besides the gateway.
    expect((await attempt(`r${RUN}`, { cniNetwork: SMALL })).code).toBe('ACCEPTED');
    track(tried.at(-1)!);
    for (const id of [`s${RUN}`, `t${RUN}`]) {
      const full = await attempt(id, { cniNetwork: SMALL });
      expect(full.code).toBe('NETWORK_FAILED');
      expect(full.message).toMatch(new RegExp(`^CNI network "${SMALL}" \\(.*${SMALL}\\.conflist\\): plugin "bridge" ADD for eth0 failed: .*no IP addresses available in range set: ${SMALL4.replaceAll('.', '\\.')}\\.1-${SMALL4.replaceAll('.', '\\.')}\\.2`));
    }
    expect(await attempt(`u${RUN}`, { netNsPath: `/run/netns/pv-nothing-${RUN}` })).toMatchObject({ code: 'INVALID_CONFIG', message: `networkConfig.netNsPath: "/run/netns/pv-nothing-${RUN}" does not exist` });
    // Before the engine's rollback (remove) only the netns prepare made is there; after it, nothing.
    expect(leftovers().netns.sort()).toEqual([`+pv-p${RUN}`, `+pv-q${RUN}`, `+pv-r${RUN}`, `+pv-s${RUN}`, `+pv-t${RUN}`]);
    expect(leftovers().leases).toEqual([`+/var/lib/cni/networks/${SMALL}/${SMALL4}.2`]);
    for (const pod of tried) await net().remove(pod);
    expect(leftovers()).toEqual(NOTHING);
    expect(readdirSync(o.cacheDir)).toEqual([]);
  }, 60_000);
});
