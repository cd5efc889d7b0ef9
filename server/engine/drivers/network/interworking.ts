// Connecting a netns link to the VM (upstream's interworking models): a macvtap on top of it, or a
// tap and a bridge around it. Either way the guest NIC keeps the link's MAC and the link gives up
// its addresses: the guest owns them now.
import { createHash, randomInt } from 'node:crypto';
import type { VmDevice } from '../devices.js';
import { ip, networkFailed, type NetHost } from './host.js';
import { OWN_LINK, readLinks } from './links.js';
import type { Endpoint, Interworking } from './state.js';

export type LinkModel = Interworking['model'];
export type Attachable = Omit<Endpoint, 'interworking'>;

const MACVTAP_TRIES = 128;

/**
 * The veth's new MAC (upstream's 02:00:ca:fe:XX:XX): the original goes to the guest, and neither a
 * macvtap nor a bridge port may share its MAC with the veth. XX:XX from the pod and index, so that
 * two pods' veths on one host bridge differ.
 */
export function swappedVethMac(podId: string, index: number): string {
  const h = createHash('sha256').update(`${podId}/${index}`).digest();
  return `02:00:ca:fe:${h.subarray(0, 2).toString('hex').replace(/(..)(..)/, '$1:$2')}`;
}

/** The netns itself must not speak on the link with the guest's MAC (IPv6 link-local, RS, MLD), so its IPv6 goes. */
async function setIpv6(host: NetHost, netns: string, ifname: string, enabled: boolean): Promise<void> {
  const r = await host.run('sysctl', ['-qw', `net/ipv6/conf/${ifname}/disable_ipv6=${enabled ? 0 : 1}`], { netns });
  if (r.exitCode !== 0) throw networkFailed(`cannot ${enabled ? 'enable' : 'disable'} IPv6 on ${ifname} in ${netns}: ${r.stderr.trim()}`);
}

async function giveUpAddresses(host: NetHost, netns: string, ifname: string): Promise<void> {
  await ip(host, netns, ['addr', 'flush', 'dev', ifname, 'scope', 'global']);
  await setIpv6(host, netns, ifname, false);
}

/** major:minor of a macvtap's char device as its own netns's sysfs says (the host's /sys shows only the host's links). */
async function macvtapDevNumber(host: NetHost, netns: string, link: string): Promise<string> {
  const script = 'mount -t sysfs none /sys && cat /sys/class/net/"$1"/macvtap/tap*/dev';
  const r = await host.run('unshare', ['--mount', '--', 'sh', '-c', script, 'sh', link], { netns });
  if (r.exitCode !== 0) throw networkFailed(`cannot read the char device of ${link} in ${netns}: ${r.stderr.trim()}`);
  return r.stdout.trim();
}

/**
 * /dev/tap<ifindex> is created by devtmpfs for the whole host, but ifindexes are per netns: two pods'
 * macvtaps with one ifindex would share a node that opens only the first. So, as upstream, a random
 * ifindex (8192 + 0..0xFFFF), and a node that must exist and be this macvtap's, else another try.
 */
async function addMacvtap(host: NetHost, netns: string, ep: Attachable, link: string) {
  for (let i = 0; i < MACVTAP_TRIES; i++) {
    const ifindex = 8192 + randomInt(0x10000);
    const devicePath = `/dev/tap${ifindex}`;
    if (await host.stat(devicePath)) continue;
    // The MAC is given at creation: macvlan refuses to take its lower link's MAC afterwards.
    const args = ['link', 'add', 'link', ep.hostIfname, 'name', link, 'index', String(ifindex), 'address', ep.mac, 'mtu', String(ep.mtu), 'type', 'macvtap', 'mode', 'bridge'];
    const r = await host.run('ip', args, { netns });
    if (r.exitCode !== 0) {
      if (/exists|busy/i.test(r.stderr)) continue; // that ifindex is taken in this netns
      throw networkFailed(`ip ${args.join(' ')} (in ${netns}) failed: ${r.stderr.trim()}`);
    }
    const node = await host.stat(devicePath);
    if (node?.kind === 'char' && `${node.major}:${node.minor}` === (await macvtapDevNumber(host, netns, link))) return { model: 'macvtap' as const, link, ifindex, devicePath };
    await ip(host, netns, ['link', 'del', link], { tolerateGone: true });
  }
  throw networkFailed(`no free macvtap device node for ${ep.hostIfname} in ${netns} after ${MACVTAP_TRIES} tries`);
}

/** Creates the links for one endpoint; on failure removes what it made, then throws. */
export async function attach(host: NetHost, netns: string, ep: Attachable, index: number, model: LinkModel, podId: string): Promise<Endpoint> {
  const made: string[] = [];
  const vethMac = swappedVethMac(podId, index);
  const set = (...args: string[]) => ip(host, netns, ['link', 'set', ...args]);
  try {
    await giveUpAddresses(host, netns, ep.hostIfname);
    await set(ep.hostIfname, 'address', vethMac);
    if (model === 'macvtap') {
      const iw = await addMacvtap(host, netns, ep, `mvt${index}_pv`);
      made.push(iw.link);
      await setIpv6(host, netns, iw.link, false);
      // allmulticast: the guest's multicast joins never reach the macvtap's filter (nobody relays
      // QEMU's RX-filter events), so IPv6 neighbour solicitations for the guest would be dropped.
      await set(iw.link, 'allmulticast', 'on', 'up');
      return { ...ep, interworking: { ...iw, vethMac } };
    }
    const iw: Interworking = { model: 'bridged', tap: `tap${index}_pv`, bridge: `br${index}_pv`, vethMac };
    await ip(host, netns, ['tuntap', 'add', 'dev', iw.tap, 'mode', 'tap']);
    made.push(iw.tap);
    // The tap keeps a MAC of its own: a bridge delivers frames for a port's own MAC to itself instead of forwarding them to the guest.
    await set(iw.tap, 'mtu', String(ep.mtu));
    await ip(host, netns, ['link', 'add', iw.bridge, 'mtu', String(ep.mtu), 'type', 'bridge', 'mcast_snooping', '0']);
    made.push(iw.bridge);
    for (const dev of [iw.tap, iw.bridge]) await setIpv6(host, netns, dev, false);
    for (const port of [iw.tap, ep.hostIfname]) await set(port, 'master', iw.bridge);
    // No learning on the veth port: a hairpinning host bridge sends the guest's broadcasts back up the veth,
    // and the guest's MAC, learnt there, would send every answer back out instead of to the tap.
    await set(ep.hostIfname, 'type', 'bridge_slave', 'learning', 'off');
    for (const dev of [iw.bridge, iw.tap, ep.hostIfname]) await set(dev, 'up');
    return { ...ep, interworking: iw };
  } catch (err) {
    for (const link of made.reverse()) await ip(host, netns, ['link', 'del', link], { tolerateGone: true }).catch(() => {});
    if (ep.restore) await restoreLink(host, netns, ep).catch(() => {});
    throw err;
  }
}

export function nicDevice(ep: Endpoint): VmDevice {
  const backend = ep.interworking.model === 'macvtap' ? { type: 'macvtap' as const, devicePath: ep.interworking.devicePath } : { type: 'tap' as const, ifname: ep.interworking.tap };
  return { kind: 'nic', id: ep.guestName, mac: ep.mac, mtu: ep.mtu, queues: 1, backend };
}

/** Deletes every link Podvisor made in the netns (by the `_pv` suffix, so a crash mid-connect leaves none either). */
export async function detachAll(host: NetHost, netns: string): Promise<void> {
  const links = await readLinks(host, netns).catch(() => []);
  // Macvtaps and taps before bridges: a bridge goes last so its ports are released first.
  const own = links.filter((l) => OWN_LINK.test(l.ifname)).sort((a, b) => Number(a.ifname.startsWith('br')) - Number(b.ifname.startsWith('br')));
  for (const l of own) await ip(host, netns, ['link', 'del', l.ifname], { tolerateGone: true });
}

/** Someone else's link (CNM) back as it was: MAC, IPv6, addresses, routes. */
export async function restoreLink(host: NetHost, netns: string, ep: Attachable): Promise<void> {
  const gone = { tolerateGone: true };
  await ip(host, netns, ['link', 'set', ep.hostIfname, 'nomaster'], gone);
  await ip(host, netns, ['link', 'set', ep.hostIfname, 'address', ep.mac], gone);
  await setIpv6(host, netns, ep.hostIfname, true);
  for (const a of ep.addresses) await replace(host, netns, ['addr', 'replace', `${a.address}/${a.prefixLength}`, 'dev', ep.hostIfname, ...(a.family === 'ipv6' ? ['nodad'] : [])]);
  for (const r of ep.routes) {
    const family = r.family === 'ipv4' ? '-4' : '-6';
    await replace(host, netns, [family, 'route', 'replace', r.destination || 'default', ...(r.gateway ? ['via', r.gateway] : []), 'dev', ep.hostIfname]);
  }
}

const replace = (host: NetHost, netns: string, args: string[]) => ip(host, netns, args, { tolerateGone: true });
