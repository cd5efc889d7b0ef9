// How the console shows a pod's network: the addresses one copies, the port mappings, vhost as the
// hypervisor reports it, and the pod list's Address column (first IPv4), searchable and sorted.
import { describe, expect, it } from 'vitest';
import { applyView, DEFAULT_VIEW, toRows } from '../../components/pods/list-view';
import { firstIpv4, interfacesOf, noNetworkReason, podAddresses, portMappingLabel } from '../../components/pods/network-view';
import type { NetworkInfo } from '../../server/engine/drivers/network/types';
import type { PodStatus } from '../../server/engine/types';

const iface = (name: string, mac: string, addresses: string[]): NetworkInfo['interfaces'][number] => ({
  name, hostInterface: name, mac, mtu: 1500, addresses, gateways: [], model: 'macvtap', vhost: false,
});
const network = (interfaces: NetworkInfo['interfaces']): NetworkInfo => ({
  model: 'CNI', netNsPath: '/run/netns/pv-web', netNsCreated: true, cniNetwork: 'podvisor0', interfaces, portMappings: [],
});
const status = (id: string, net: NetworkInfo | null, nics: { id: string; mac: string; vhost: boolean }[] = []): PodStatus => ({
  id, state: 'running', hypervisor: 'mock', hypervisorConfig: {} as PodStatus['hypervisorConfig'], effectiveHypervisorConfig: {} as PodStatus['effectiveHypervisorConfig'], agent: 'noop', containersStatus: [], annotations: {},
  vm: { pid: 1, accelerator: 'tcg', consoleLog: '', nics, sharedFs: 'virtio-fs' }, network: net,
});

const MAC0 = '02:00:00:00:00:01';
const MAC1 = '02:00:00:00:00:02';
const twoNics = network([iface('eth0', MAC0, ['fd70:7076::5/64', '10.209.0.5/24']), iface('eth1', MAC1, ['10.209.0.6/24'])]);

describe('pod network view', () => {
  it('lists bare addresses, IPv4 first, and picks the first IPv4 for the list', () => {
    expect(podAddresses(twoNics)).toEqual(['10.209.0.5', '10.209.0.6', 'fd70:7076::5']);
    expect(firstIpv4(twoNics)).toBe('10.209.0.5');
    expect(firstIpv4(network([iface('eth0', MAC0, ['fd70:7076::5/64'])]))).toBe('');
    expect(firstIpv4(null)).toBe('');
  });

  it('shows port mappings as host:port → container port/protocol', () => {
    expect(portMappingLabel({ hostPort: 8080, containerPort: 80, protocol: 'tcp' })).toBe('host:8080 → 80/tcp');
  });

  it("says userspace virtio-net unless the VM's NIC of that MAC has vhost", () => {
    const views = interfacesOf(status('web', twoNics, [{ id: 'eth0', mac: MAC0, vhost: true }]));
    expect(views.map((v) => [v.name, v.vhost, v.interworking])).toEqual([
      ['eth0', true, 'macvtap'],
      ['eth1', false, 'macvtap · userspace virtio-net (no vhost)'],
    ]);
  });

  it('explains a missing network by the model and the state', () => {
    expect(noNetworkReason(status('a', null), 'noop')).toMatch(/noop model/);
    expect(noNetworkReason({ ...status('a', null), state: 'stopped' }, 'CNI')).toMatch(/set up again when the pod starts/);
    expect(noNetworkReason(status('a', null), 'CNM')).toBe('Not connected yet (CNM).');
  });
});

describe('pod list Address column', () => {
  const rows = toRows(
    [status('web-10', network([iface('eth0', MAC0, ['10.209.0.10/24'])])), status('web-9', network([iface('eth0', MAC0, ['10.209.0.9/24'])])), status('db', null)],
    undefined,
    0,
  );

  it('holds the first IPv4 address, sorts numerically and is searched', () => {
    expect(rows.map((r) => [r.id, r.address])).toEqual([['web-10', '10.209.0.10'], ['web-9', '10.209.0.9'], ['db', '']]);
    expect(applyView(rows, { ...DEFAULT_VIEW, sort: 'address' }).map((r) => r.id)).toEqual(['db', 'web-9', 'web-10']);
    expect(applyView(rows, { ...DEFAULT_VIEW, search: '10.209.0.9' }).map((r) => r.id)).toEqual(['web-9']);
    expect(applyView(rows, DEFAULT_VIEW).map((r) => r.id)).toEqual(['db', 'web-9', 'web-10']);
  });
});
