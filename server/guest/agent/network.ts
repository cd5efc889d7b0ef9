// The pod's network inside the guest: every NIC the host announced is found by its MAC (PCI order
// is no promise), renamed, given its MTU and addresses of both families, then the routes, loopback,
// and the files containers see: /etc/hosts, /etc/resolv.conf, /etc/hostname.
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { GuestNetwork, GuestRoute } from '../protocol/network.js';
import { ProtocolError } from '../protocol/messages.js';
import { runChecked } from './runtime.js';

export interface NetworkOptions {
  /** The `ip` binary (busybox's in the guest). */
  ip: string;
  /** Where the sysfs class of network links is; tests point it elsewhere. */
  sysClassNet: string;
  /** Where this module writes hosts, resolv.conf and hostname for containers to bind-mount. */
  filesDir: string;
}

/** Link name by MAC, as the kernel enumerated them. */
async function linksByMac(sysClassNet: string): Promise<Map<string, string>> {
  const links = new Map<string, string>();
  for (const name of await readdir(sysClassNet)) {
    const mac = (await readFile(join(sysClassNet, name, 'address'), 'utf8').catch(() => '')).trim().toLowerCase();
    if (mac) links.set(mac, name);
  }
  return links;
}

const familyFlag = (family: 'ipv4' | 'ipv6') => (family === 'ipv6' ? ['-6'] : []);

function routeArgs(route: GuestRoute): string[] {
  return [...familyFlag(route.family), 'route', 'replace', route.destination || 'default', ...(route.gateway ? ['via', route.gateway] : []), 'dev', route.device];
}

export async function configureNetwork(network: GuestNetwork, hostname: string, opts: NetworkOptions): Promise<void> {
  const ip = (args: string[]) => runChecked(opts.ip, args);
  // guest/init brought the loopback up (a busybox applet, where a spawn from here cost ~0.16 s under
  // TCG); an agent that finds it down, e.g. one run by another init, brings it up.
  if (!(await isUp(opts.sysClassNet, 'lo'))) await ip(['link', 'set', 'dev', 'lo', 'up']);
  const links = await linksByMac(opts.sysClassNet);
  for (const iface of network.interfaces) {
    const current = links.get(iface.mac);
    if (!current) throw new ProtocolError('NOT_FOUND', `no network link with MAC ${iface.mac} in the guest (interface ${iface.name})`);
    if (current !== iface.name) {
      await ip(['link', 'set', 'dev', current, 'down']);
      await ip(['link', 'set', 'dev', current, 'name', iface.name]);
    }
    // The addresses are the host's to give and unique on the network already: skip duplicate
    // address detection, which would hold IPv6 addresses "tentative" for seconds after boot.
    await writeFile(`/proc/sys/net/ipv6/conf/${iface.name}/accept_dad`, '0').catch(() => {});
    await ip(['link', 'set', 'dev', iface.name, 'mtu', String(iface.mtu), 'up']);
    for (const a of iface.addresses) await ip([...familyFlag(a.family), 'addr', 'replace', `${a.address}/${a.prefixLength}`, 'dev', iface.name]);
  }
  // On-link routes first: a gateway must be reachable before a route can name it.
  const ordered = [...network.routes].sort((a, b) => Number(Boolean(a.gateway)) - Number(Boolean(b.gateway)));
  for (const route of ordered) await ip(routeArgs(route));
  await writeNetworkFiles(network, hostname, opts.filesDir);
}

/** IFF_UP in the link's sysfs flags; a link we cannot read counts as down. */
async function isUp(sysClassNet: string, link: string): Promise<boolean> {
  const flags = Number.parseInt(await readFile(`${sysClassNet}/${link}/flags`, 'utf8').catch(() => '0'), 16);
  return (flags & 0x1) !== 0;
}

/** The files every container of the pod bind-mounts read-only, as Kata does. */
export const NETWORK_FILES = ['hosts', 'resolv.conf', 'hostname'] as const;

async function writeNetworkFiles(network: GuestNetwork, hostname: string, dir: string): Promise<void> {
  const own = network.interfaces.flatMap((i) => i.addresses.map((a) => `${a.address}\t${hostname}`));
  const hosts = ['127.0.0.1\tlocalhost', '::1\tlocalhost ip6-localhost ip6-loopback', ...own, ''].join('\n');
  const { nameservers, search, domain } = network.dns;
  const resolv = [...(domain ? [`domain ${domain}`] : []), ...(search.length ? [`search ${search.join(' ')}`] : []), ...nameservers.map((n) => `nameserver ${n}`), ''].join('\n');
  await writeFile(join(dir, 'hosts'), hosts);
  await writeFile(join(dir, 'resolv.conf'), resolv);
  await writeFile(join(dir, 'hostname'), `${hostname}\n`);
}
