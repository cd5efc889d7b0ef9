// From what the netns holds (a CNI result, a scanned link) to what the guest is told and what
// PodStatus shows: addresses of both families, routes with their gateways, DNS.
import type { GuestAddress, GuestNetwork, GuestRoute } from '../devices.js';
import type { NetworkModel } from '../../types.js';
import { CniResultSchema } from './cni.js';
import type { NetHost } from './host.js';
import type { Attachable } from './interworking.js';
import { readLink } from './links.js';
import type { NetworkState } from './state.js';
import type { NetworkInfo } from './types.js';

const familyOf = (address: string) => (address.includes(':') ? 'ipv6' : 'ipv4');
const isLinkLocal6 = (address: string) => /^fe[89ab][0-9a-f]:/i.test(address);
const isDefault = (dst: string) => dst === '0.0.0.0/0' || dst === '::/0';

/** The endpoint one CNI ADD made: its interface in the sandbox, the IPs on it, the routes (a missing gw means the IP's gateway, as the plugins do). */
export async function endpointFromResult(host: NetHost, netns: string, ifname: string, guestName: string, raw: unknown) {
  const result = CniResultSchema.parse(raw);
  const index = result.interfaces.findIndex((i) => i.name === ifname && i.sandbox);
  const link = await readLink(host, netns, ifname);
  const ips = result.ips.filter((i) => i.interface === undefined || i.interface === index);
  const addresses: GuestAddress[] = [];
  for (const { address } of ips) {
    const [addr = '', prefix = ''] = address.split('/');
    if (!isLinkLocal6(addr)) addresses.push({ family: familyOf(addr), address: addr, prefixLength: Number(prefix) });
  }
  const gatewayOf = (family: string) => ips.find((i) => i.gateway && familyOf(i.gateway) === family)?.gateway ?? '';
  const routes: GuestRoute[] = result.routes.map((r) => ({
    family: familyOf(r.dst),
    destination: isDefault(r.dst) ? '' : r.dst,
    gateway: r.gw ?? gatewayOf(familyOf(r.dst)),
    device: guestName,
  }));
  const mac = (result.interfaces[index]?.mac ?? link.address).toLowerCase();
  const endpoint: Attachable = { hostIfname: ifname, guestName, mac, mtu: link.mtu, addresses, routes, restore: false };
  return { endpoint, dns: result.dns };
}

/** Merges the DNS of several results: nameservers and search domains in order, the first domain. */
export function mergeDns(all: { nameservers: string[]; search: string[]; domain: string }[]): GuestNetwork['dns'] {
  const uniq = (xs: string[]) => [...new Set(xs)];
  return { nameservers: uniq(all.flatMap((d) => d.nameservers)), search: uniq(all.flatMap((d) => d.search)), domain: all.find((d) => d.domain)?.domain ?? '' };
}

/** One default route per family: a second interface's default route would only collide in the guest. */
export function guestNetworkOf(state: NetworkState): GuestNetwork {
  const defaults = new Set<string>();
  const routes = state.endpoints.flatMap((ep) => ep.routes).filter((r) => {
    if (r.destination !== '') return true;
    if (defaults.has(r.family)) return false;
    defaults.add(r.family);
    return true;
  });
  const interfaces = state.endpoints.map((ep) => ({ name: ep.guestName, mac: ep.mac, mtu: ep.mtu, addresses: ep.addresses }));
  return { interfaces, routes, dns: state.dns };
}

export function infoOf(model: NetworkModel, state: NetworkState): NetworkInfo | null {
  if (!state.netns) return null;
  const guest = guestNetworkOf(state);
  return {
    model,
    netNsPath: state.netns.path,
    netNsCreated: state.netns.created,
    cniNetwork: state.cniNetwork,
    interfaces: state.endpoints.map((ep) => ({
      name: ep.guestName,
      hostInterface: ep.hostIfname,
      mac: ep.mac,
      mtu: ep.mtu,
      addresses: ep.addresses.map((a) => `${a.address}/${a.prefixLength}`),
      gateways: guest.routes.filter((r) => r.device === ep.guestName && r.destination === '' && r.gateway).map((r) => r.gateway),
      model: ep.interworking.model,
      vhost: false,
    })),
    portMappings: state.portMappings,
  };
}
