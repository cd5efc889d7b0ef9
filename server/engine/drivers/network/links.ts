// Reading links, addresses and routes of a netns through iproute2's JSON output, and the CNM scan.
import { z } from 'zod';
import type { GuestAddress, GuestRoute } from '../devices.js';
import { ipJson, networkFailed, type NetHost } from './host.js';

const AddrInfoSchema = z.looseObject({ family: z.string(), local: z.string(), prefixlen: z.number().int(), scope: z.string().default('global') });
const LinkSchema = z.looseObject({
  ifindex: z.number().int(),
  ifname: z.string(),
  address: z.string().default(''),
  mtu: z.number().int(),
  link_type: z.string().default(''),
  flags: z.array(z.string()).default([]),
  addr_info: z.array(AddrInfoSchema).default([]),
  linkinfo: z.looseObject({ info_kind: z.string().optional() }).optional(),
});
export type LinkInfo = z.infer<typeof LinkSchema>;
const RouteSchema = z.looseObject({ dst: z.string(), gateway: z.string().optional(), protocol: z.string().optional() });

/** Names Podvisor gives the links it makes inside a netns: never mistaken for a pod's own link. */
export const OWN_LINK = /_pv$/;

export async function readLinks(host: NetHost, netns: string, ifname?: string): Promise<LinkInfo[]> {
  return ipJson(host, netns, ['-d', 'addr', 'show', ...(ifname ? ['dev', ifname] : [])], z.array(LinkSchema));
}

export async function readLink(host: NetHost, netns: string, ifname: string): Promise<LinkInfo> {
  const [link] = await readLinks(host, netns, ifname);
  if (!link) throw networkFailed(`no link ${ifname} in ${netns}`);
  return link;
}

/** Global addresses of both families (link-local ones belong to the link, not to whoever uses it). */
export function globalAddresses(link: LinkInfo): GuestAddress[] {
  return link.addr_info
    .filter((a) => a.scope === 'global' && (a.family === 'inet' || a.family === 'inet6'))
    .map((a) => ({ family: a.family === 'inet' ? 'ipv4' : 'ipv6', address: a.local, prefixLength: a.prefixlen }));
}

/** The link's routes of both families, default routes included; the kernel's own (connected, fe80::/64) the guest makes itself. */
export async function readRoutes(host: NetHost, netns: string, ifname: string, device: string): Promise<GuestRoute[]> {
  const routes: GuestRoute[] = [];
  for (const family of ['ipv4', 'ipv6'] as const) {
    const found = await ipJson(host, netns, [family === 'ipv4' ? '-4' : '-6', 'route', 'show', 'dev', ifname], z.array(RouteSchema));
    for (const r of found) {
      if (r.protocol === 'kernel' || r.dst.startsWith('fe80:') || r.dst.startsWith('ff')) continue;
      routes.push({ family, destination: r.dst === 'default' ? '' : withPrefix(r.dst, family), gateway: r.gateway ?? '', device });
    }
  }
  return routes;
}

const withPrefix = (dst: string, family: 'ipv4' | 'ipv6') => (dst.includes('/') ? dst : `${dst}/${family === 'ipv4' ? 32 : 128}`);

export interface ScannedLink {
  link: LinkInfo;
  addresses: GuestAddress[];
}

/** Upstream's createEndpointsFromScan: every link but loopback and those without a (global) address, in ifindex order. */
export async function scanLinks(host: NetHost, netns: string): Promise<ScannedLink[]> {
  const links = await readLinks(host, netns);
  return links
    // Only Ethernet links can stand behind a virtio-net NIC (a tun or an ipip link has no MAC to keep).
    .filter((l) => l.link_type === 'ether' && !l.flags.includes('LOOPBACK') && !OWN_LINK.test(l.ifname))
    .map((link) => ({ link, addresses: globalAddresses(link) }))
    .filter((s) => s.addresses.length > 0)
    .sort((a, b) => a.link.ifindex - b.link.ifindex);
}
