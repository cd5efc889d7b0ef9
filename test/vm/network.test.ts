// Pods on the network, on real VMs: the default CNI network (real plugins from Debian's
// containernetworking-plugins) with macvtap and bridged interworking, CNM on a netns this test
// makes, IPv4 and IPv6 between pods, a server in a pod reached from the host at the pod's address
// and at a mapped port, containers of one pod on localhost, and nothing left on the host afterwards:
// after stop + delete, after kill -9 of QEMU, and after a create that failed halfway.
// Every address is inside namespaces made here (the pods' and the CNM one) or on the pv0 bridge.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CmdInput, PodStatus } from '../../server/engine/index.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { hostNetworkSnapshot } from '../helpers/network.js';
import { collect, qemuPod, rootfsCopy } from '../helpers/vm.js';

let t: TestEngine;
const rootFs = rootfsCopy();
const scratch = mkdtempSync(path.join(tmpdir(), 'pv-net-'));
const CNM_NS = `pvt-cnm-${process.pid % 100000}`;
const HOST_PORT = 18000 + (process.pid % 1000);
const forever = ['sh', '-c', 'while true; do sleep 1; done'];
/** busybox httpd in the foreground, serving a page that names its pod (one rootfs copy serves all pods: a dir each). */
const httpd = (name: string) => ['sh', '-c', `mkdir -p /tmp/www-${name} && echo hello-from-${name} > /tmp/www-${name}/index.html && exec httpd -f -p 80 -h /tmp/www-${name}`];
/** ping needs a raw socket: the container's default capabilities do not include it. */
const NET_RAW = ['CAP_NET_RAW', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];
const withRawCaps: Partial<CmdInput> = { capabilities: { bounding: NET_RAW, effective: NET_RAW, permitted: NET_RAW, inheritable: [], ambient: NET_RAW } };
let baseline: Awaited<ReturnType<typeof hostNetworkSnapshot>>;
let during: typeof baseline;
const status: Record<string, PodStatus> = {};

async function exec(podId: string, containerId: string, args: string[]) {
  const { process } = await t.vc.enterContainer(podId, containerId, { args, detach: true, ...withRawCaps });
  return collect(await t.vc.attachProcess(podId, containerId, process.token));
}

const address = (s: PodStatus, family: 4 | 6) => {
  const cidr = s.network?.interfaces[0]?.addresses.find((a) => (family === 6 ? a.includes(':') : !a.includes(':')));
  if (!cidr) throw new Error(`pod ${s.id} has no IPv${family} address: ${JSON.stringify(s.network)}`);
  return cidr.split('/')[0]!;
};

async function httpGet(url: string): Promise<string> {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  return (await res.text()).trim();
}

beforeAll(async () => {
  t = testEngine({ lockWaitMs: 120_000, hostPathRoots: [path.dirname(rootFs), scratch, '/run/netns'] });
  // The default network's bridge and its iptables chains are made on first use and stay (CNI's
  // bridge plugin never removes a bridge): a mock pod on it first, so the baseline includes them.
  await t.vc.runPod({ id: 'warmup', hypervisorType: 'mock', agentType: 'noop', networkModel: 'CNI' });
  await t.vc.stopPod('warmup');
  await t.vc.deletePod('warmup');
  baseline = await hostNetworkSnapshot();

  // CNM: the netns and its veth pair are made by someone else (here, this test), as Docker would.
  await execa('ip', ['netns', 'add', CNM_NS]);
  await execa('ip', ['link', 'add', 'pvt-cnm-h', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', CNM_NS]);
  await execa('ip', ['addr', 'add', '10.210.0.1/24', 'dev', 'pvt-cnm-h']);
  await execa('ip', ['link', 'set', 'pvt-cnm-h', 'up']);
  for (const args of [['addr', 'add', '10.210.0.2/24', 'dev', 'eth0'], ['-6', 'addr', 'add', 'fd71:7076::2/64', 'dev', 'eth0', 'nodad'], ['link', 'set', 'eth0', 'up'], ['route', 'add', 'default', 'via', '10.210.0.1']]) {
    await execa('ip', ['-n', CNM_NS, ...args]);
  }

  const ports = JSON.stringify([{ hostPort: HOST_PORT, containerPort: 80, protocol: 'tcp' }]);
  await t.vc.runPod(
    qemuPod('net-a', [
      { id: 'web', rootFs, cmd: { args: httpd('a'), detach: true } },
      { id: 'side', rootFs, cmd: { args: forever, detach: true } },
    ], { networkModel: 'CNI', annotations: { 'io.podvisor.network/ports': ports } }),
  );
  await t.vc.runPod(qemuPod('net-b', [{ id: 'web', rootFs, cmd: { args: httpd('b'), detach: true } }], { networkModel: 'CNI', networkConfig: { interworkingModel: 'bridged' } }));
  await t.vc.runPod(qemuPod('net-c', [{ id: 'web', rootFs, cmd: { args: httpd('c'), detach: true } }], { networkModel: 'CNM', networkConfig: { netNsPath: `/run/netns/${CNM_NS}` } }));
  for (const id of ['net-a', 'net-b', 'net-c']) status[id] = await t.vc.statusPod(id);
  during = await hostNetworkSnapshot();
}, 300_000);

afterAll(async () => {
  for (const id of ['warmup', 'net-a', 'net-b', 'net-c', 'net-broken']) {
    await t.vc.stopPod(id).catch(() => {});
    await t.vc.deletePod(id).catch(() => {});
  }
  await execa('ip', ['netns', 'del', CNM_NS], { reject: false });
  await execa('ip', ['link', 'del', 'pvt-cnm-h'], { reject: false });
  await t[Symbol.asyncDispose]();
  rmSync(path.dirname(rootFs), { recursive: true, force: true });
  rmSync(scratch, { recursive: true, force: true });
}, 120_000);

describe('pods on the network (real VMs)', () => {
  it('shows each interface with both address families, its model, and userspace virtio-net', () => {
    const a = status['net-a']!;
    expect(a.network).toMatchObject({ model: 'CNI', netNsCreated: true, cniNetwork: 'podvisor0', portMappings: [{ hostPort: HOST_PORT, containerPort: 80 }] });
    expect(a.network!.interfaces[0]).toMatchObject({ name: 'eth0', model: 'macvtap', gateways: expect.arrayContaining(['10.209.0.1']) });
    expect(address(a, 4)).toMatch(/^10\.209\.0\.\d+$/);
    expect(address(a, 6)).toMatch(/^fd70:7076::/);
    expect(status['net-b']!.network!.interfaces[0]).toMatchObject({ model: 'bridged' });
    expect(status['net-c']!.network).toMatchObject({ model: 'CNM', netNsCreated: false, interfaces: [{ addresses: expect.arrayContaining(['10.210.0.2/24']) }] });
    expect(a.vm!.nics).toEqual([expect.objectContaining({ vhost: false })]);
  });

  it('lets two pods reach each other over IPv4 and IPv6 (macvtap to bridged)', async () => {
    const b = status['net-b']!;
    expect(await exec('net-a', 'side', ['ping', '-c', '1', '-W', '5', address(b, 4)])).toMatchObject({ exitCode: 0 });
    expect(await exec('net-a', 'side', ['ping', '-6', '-c', '1', '-W', '5', address(b, 6)])).toMatchObject({ exitCode: 0 });
    expect(await exec('net-b', 'web', ['ping', '-c', '1', '-W', '5', address(status['net-a']!, 4)])).toMatchObject({ exitCode: 0 });
  });

  it('serves HTTP from a pod to the host at the pod address (both families) and at the mapped port', async () => {
    const a = status['net-a']!;
    expect(await httpGet(`http://${address(a, 4)}/`)).toBe('hello-from-a');
    expect(await httpGet(`http://[${address(a, 6)}]/`)).toBe('hello-from-a');
    expect(await httpGet(`http://10.209.0.1:${HOST_PORT}/`)).toBe('hello-from-a');
    expect(await httpGet(`http://${address(status['net-b']!, 4)}/`)).toBe('hello-from-b');
    expect(await httpGet(`http://[${address(status['net-b']!, 6)}]/`)).toBe('hello-from-b');
    expect(await httpGet('http://10.210.0.2/')).toBe('hello-from-c'); // CNM, through the test's own veth
  });

  it('puts the containers of one pod in one network namespace: they meet on localhost', async () => {
    const { output, exitCode } = await exec('net-a', 'side', ['sh', '-c', "printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc 127.0.0.1 80"]);
    expect(exitCode).toBe(0);
    expect(output).toContain('hello-from-a');
    expect((await exec('net-a', 'side', ['cat', '/etc/hostname', '/etc/hosts'])).output).toMatch(new RegExp(`^net-a\\n[\\s\\S]*${address(status['net-a']!, 4).replaceAll('.', '\\.')}\\tnet-a`));
  });

  it('tears down a pod whose QEMU was killed with -9: stop, delete, nothing left', async () => {
    process.kill(status['net-b']!.vm!.pid, 'SIGKILL');
    await expect.poll(async () => (await t.vc.statusPod('net-b')).state, { timeout: 20_000 }).toBe('stopped');
    await t.vc.deletePod('net-b');
  });

  it('leaves nothing behind when a create fails after the network was added', async () => {
    const notAKernel = path.join(scratch, 'not-a-kernel');
    writeFileSync(notAKernel, 'this is no kernel');
    await expect(t.vc.createPod(qemuPod('net-broken', [], { networkModel: 'CNI', hypervisorConfig: { kernelPath: notAKernel } }))).rejects.toMatchObject({ code: 'HYPERVISOR_FAILED' });
  });

  it('leaves the host as it found it once every pod is gone: netns, links, leases, firewall rules', async () => {
    for (const id of ['net-a', 'net-c']) {
      await t.vc.stopPod(id);
      await t.vc.deletePod(id);
    }
    // The CNM netns is the test's own: Podvisor must not have removed it, nor its veth.
    expect((await execa('ip', ['-n', CNM_NS, '-o', 'link'])).stdout).toContain('eth0');
    await execa('ip', ['netns', 'del', CNM_NS]);
    await execa('ip', ['link', 'del', 'pvt-cnm-h'], { reject: false });
    const after = await hostNetworkSnapshot();
    expect(after).toEqual(baseline);
    // Not vacuous: while the pods ran, the snapshot did see their leases and bridge ports.
    expect(during.leases.length).toBeGreaterThanOrEqual(2);
    expect(during.bridgePorts.length).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
