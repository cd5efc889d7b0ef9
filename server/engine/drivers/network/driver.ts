// The CNI and CNM network drivers: one netns per pod, its links found (CNI ADD, or a scan of what
// someone else made), connected to the VM with macvtap or tap+bridge, and all of it undone by remove()
// from whatever was persisted, even by a process that never saw the connect.
import { EngineError } from '../../errors.js';
import type { PodContext } from '../types.js';
import { cniOptionsFromEnv, DEFAULT_NETWORK, loadNetworkList, portMappingsFrom, resolvePlugins, type CniOptions } from './cni-config.js';
import { callOf, cniAdd, cniDel } from './cni.js';
import { endpointFromResult, guestNetworkOf, infoOf, mergeDns } from './guest.js';
import { linuxNetHost, networkFailed, type NetHost } from './host.js';
import { attach, detachAll, nicDevice, restoreLink, type Attachable, type LinkModel } from './interworking.js';
import { readRoutes, scanLinks } from './links.js';
import { deleteNetns, netnsExists, openNetns, ownNetns } from './netns.js';
import { dropAttachment, dropNetnsRecord, readAttachments, readNetnsRecord, writeAttachment } from './records.js';
import { NetworkStateSchema, parseNetworkState, toDriverState, type Attachment, type Endpoint, type NetworkState } from './state.js';
import type { Network } from './types.js';

export interface NetworkDriverOptions {
  host?: NetHost;
  cni?: CniOptions;
}

const MAX_INTERFACES = 16;

export function cniNetworkOf(pod: PodContext): string {
  return pod.config.networkConfig.cniNetwork || DEFAULT_NETWORK;
}

function linkModelOf(pod: PodContext): LinkModel {
  const m = pod.config.networkConfig.interworkingModel;
  if (m === 'enlightened') {
    throw new EngineError('NOT_SUPPORTED', 'networkConfig.interworkingModel: "enlightened" is not supported (as upstream): use "macvtap" (the default) or "bridged"', {
      field: 'networkConfig.interworkingModel',
    });
  }
  return m === 'bridged' ? 'bridged' : 'macvtap';
}

function interfaceCount(pod: PodContext): number {
  const n = pod.config.networkConfig.numInterfaces;
  if (n > MAX_INTERFACES) throw new EngineError('INVALID_CONFIG', `networkConfig.numInterfaces: at most ${MAX_INTERFACES}`, { field: 'networkConfig.numInterfaces' });
  return n;
}

export function createCniNetwork(opts: NetworkDriverOptions = {}): Network {
  return createPodNetwork('CNI', opts);
}
export function createCnmNetwork(opts: NetworkDriverOptions = {}): Network {
  return createPodNetwork('CNM', opts);
}

function createPodNetwork(model: 'CNI' | 'CNM', opts: NetworkDriverOptions): Network {
  const host = opts.host ?? linuxNetHost;
  const cni = opts.cni ?? cniOptionsFromEnv();

  /** CNI ADD for eth0..ethN-1; each attachment is recorded (to `sink` and the cache) before its ADD runs, so that cleanup knows it. */
  async function cniEndpoints(pod: PodContext, netns: string, sink: Attachment[]) {
    const list = await loadNetworkList(host, cni, cniNetworkOf(pod));
    await resolvePlugins(host, cni.pluginDirs, list);
    const portMappings = portMappingsFrom(pod.config.annotations);
    const endpoints: Attachable[] = [];
    const dns = [];
    for (let i = 0; i < Math.max(1, interfaceCount(pod)); i++) {
      // Port mappings on eth0 only: a second DNAT for the same host port would never be hit.
      const runtimeConfig: Attachment['runtimeConfig'] = i === 0 && portMappings.length ? { portMappings } : {};
      const { file, ...listJson } = list;
      const att: Attachment = { network: list.name, file, containerId: pod.id, ifname: `eth${i}`, netns, list: JSON.parse(JSON.stringify(listJson)), runtimeConfig, result: null };
      await writeAttachment(cni.cacheDir, att);
      sink.push(att);
      att.result = await cniAdd(host, callOf(att, cni.pluginDirs));
      await writeAttachment(cni.cacheDir, att);
      const found = await endpointFromResult(host, netns, att.ifname, att.ifname, att.result);
      endpoints.push(found.endpoint);
      dns.push(found.dns);
    }
    return { endpoints, portMappings, dns: mergeDns(dns) };
  }

  /** Upstream's scan: the links someone else put in the netns, as many as numInterfaces allows. */
  async function cnmEndpoints(pod: PodContext, netns: string, restore: boolean) {
    const n = interfaceCount(pod);
    const scanned = await scanLinks(host, netns);
    if (!scanned.length) pod.log.warn({ netns }, 'CNM: the netns holds no link with an address; the VM gets no NIC');
    const endpoints: Attachable[] = [];
    for (const [i, { link, addresses }] of (n ? scanned.slice(0, n) : scanned).entries()) {
      const guestName = `eth${i}`;
      const routes = await readRoutes(host, netns, link.ifname, guestName);
      endpoints.push({ hostIfname: link.ifname, guestName, mac: link.address.toLowerCase(), mtu: link.mtu, addresses, routes, restore });
    }
    return { endpoints, portMappings: [], dns: mergeDns([]) };
  }

  /** Everything that may exist for this pod, from the state and from the write-ahead cache (a crash mid-connect). */
  async function undo(pod: PodContext, state: NetworkState): Promise<string[]> {
    const failures: string[] = [];
    const step = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (err) {
        failures.push(`${what}: ${(err as Error).message}`);
      }
    };
    // Without persisted state, only a netns our record vouches for is ours to delete.
    const netns = state.netns ?? (await readNetnsRecord(cni.cacheDir, pod.id));
    const present = netns ? await netnsExists(host, netns.path) : false;
    if (netns && present) {
      await step('delete the interworking links', () => detachAll(host, netns.path));
      for (const ep of state.endpoints.filter((e) => e.restore)) await step(`restore ${ep.hostIfname}`, () => restoreLink(host, netns.path, ep));
    }
    const cached = await readAttachments(cni.cacheDir, pod.id);
    failures.push(...cached.unreadable.map((f) => `unreadable CNI record ${f} (left in place)`));
    const byIfname = new Map<string, Attachment>();
    for (const a of [...cached.attachments, ...state.attachments]) if (!byIfname.get(a.ifname)?.result) byIfname.set(a.ifname, a);
    for (const a of [...byIfname.values()].reverse()) {
      await step(`CNI DEL ${a.network} ${a.ifname}`, async () => {
        await cniDel(host, callOf(a, cni.pluginDirs), a.result);
        await dropAttachment(cni.cacheDir, a);
      });
    }
    if (netns) await step(`delete netns ${netns.path}`, () => (present ? deleteNetns(host, netns, cni.cacheDir, pod.id) : dropNetnsRecord(cni.cacheDir, pod.id)));
    return failures;
  }

  async function remove(pod: PodContext): Promise<void> {
    const parsed = NetworkStateSchema.safeParse(pod.runtime.network);
    if (!parsed.success) pod.log.warn({ issues: parsed.error.issues }, 'network state unreadable: removing what the pod id and the CNI records point at');
    const failures = await undo(pod, parsed.success ? parsed.data : NetworkStateSchema.parse({}));
    if (failures.length) throw networkFailed(`removing the network of pod ${pod.id}: ${failures.join('; ')}`, { failures });
  }

  return {
    async prepare(pod) {
      const own = ownNetns(pod);
      if (own && (await netnsExists(host, own.path))) {
        if (!(await readNetnsRecord(cni.cacheDir, pod.id))) {
          const message = `network namespace ${own.name} exists but is not this Podvisor's (no record in ${cni.cacheDir}): another install with a pod "${pod.id}"? If it is stale: ip netns delete ${own.name}`;
          throw networkFailed(message, { netns: own.path });
        }
        // Ours from an attempt that crashed before its state was persisted: undo it, then start afresh.
        await remove({ ...pod, runtime: { ...pod.runtime, network: {} } });
      }
      const netns = await openNetns(host, pod, cni.cacheDir);
      return toDriverState({ ...NetworkStateSchema.parse({}), netns, cniNetwork: model === 'CNI' ? cniNetworkOf(pod) : '' });
    },

    async connect(pod) {
      const state = parseNetworkState(pod.runtime.network);
      if (!state.netns) throw new EngineError('INTERNAL', `pod ${pod.id}: network connect before prepare`);
      const netns = state.netns.path;
      const linkModel = linkModelOf(pod);
      const attachments: Attachment[] = [];
      const endpoints: Endpoint[] = [];
      try {
        const found = model === 'CNI' ? await cniEndpoints(pod, netns, attachments) : await cnmEndpoints(pod, netns, !state.netns.created);
        for (const [i, ep] of found.endpoints.entries()) endpoints.push(await attach(host, netns, ep, i, linkModel, pod.id));
        const next: NetworkState = { ...state, attachments, endpoints, portMappings: found.portMappings, dns: found.dns };
        return { state: toDriverState(next), connection: { netNsPath: netns, devices: endpoints.map(nicDevice), guest: guestNetworkOf(next) } };
      } catch (err) {
        // The netns stays (prepare made it; remove deletes it); everything connect made goes now.
        const failures = await undo(pod, { ...state, netns: { ...state.netns, created: false }, attachments, endpoints });
        if (failures.length) pod.log.warn({ failures }, 'network connect failed, and so did part of its cleanup');
        throw err;
      }
    },

    remove,

    info(pod) {
      const parsed = NetworkStateSchema.safeParse(pod.runtime.network);
      return parsed.success ? infoOf(model, parsed.data) : null;
    },
  };
}
