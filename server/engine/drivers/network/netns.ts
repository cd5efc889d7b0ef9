// The pod's network namespace: one Podvisor creates (named, so `ip netns` lists it) or one the
// caller gives (netNsPath), which must exist and is never deleted.
import { createHash } from 'node:crypto';
import { EngineError } from '../../errors.js';
import type { PodContext } from '../types.js';
import { ip, type NetHost } from './host.js';
import { dropNetnsRecord, writeNetnsRecord } from './records.js';
import type { NetnsState } from './state.js';

/** Where `ip netns add` puts its bind mounts. */
export const NETNS_DIR = '/run/netns';
const MAX_NAME = 15; // what the brief asks: short enough for any tool that treats it like an ifname

/** `pv-<id>`, or for a long id `pv-<5 chars>-<6 hex of its hash>` (still unique, still ≤ 15 chars). */
export function netnsNameFor(podId: string): string {
  const plain = `pv-${podId}`;
  if (plain.length <= MAX_NAME) return plain;
  const hash = createHash('sha256').update(podId).digest('hex').slice(0, 6);
  return `pv-${podId.slice(0, 5)}-${hash}`;
}

/** The netns this pod gets from us when it names none. */
export function ownNetns(pod: PodContext): NetnsState | null {
  if (pod.config.networkConfig.netNsPath) return null;
  const name = netnsNameFor(pod.id);
  return { path: `${NETNS_DIR}/${name}`, name, created: true };
}

export async function netnsExists(host: NetHost, path: string): Promise<boolean> {
  return (await host.stat(path)) !== null;
}

/** A given netns must exist and be one (nsenter refuses anything else); ours is created fresh, its record first. */
export async function openNetns(host: NetHost, pod: PodContext, cacheDir: string): Promise<NetnsState> {
  const given = pod.config.networkConfig.netNsPath;
  if (given) {
    const field = 'networkConfig.netNsPath';
    if (!(await netnsExists(host, given))) throw new EngineError('INVALID_CONFIG', `${field}: "${given}" does not exist`, { field, path: given });
    const probe = await host.run('true', [], { netns: given });
    if (probe.exitCode !== 0) {
      throw new EngineError('INVALID_CONFIG', `${field}: "${given}" is not a network namespace (${probe.stderr.trim()})`, { field, path: given });
    }
    return { path: given, name: '', created: false };
  }
  const own = ownNetns(pod)!;
  await writeNetnsRecord(cacheDir, pod.id, own);
  try {
    await ip(host, '', ['netns', 'add', own.name]);
    // Prestart hooks run in here before any NIC exists; give them a working loopback, as upstream's CNI did.
    await ip(host, own.path, ['link', 'set', 'lo', 'up']);
  } catch (err) {
    await deleteNetns(host, own, cacheDir, pod.id);
    throw err;
  }
  return own;
}

/** Only a netns we created is deleted; deleting one that is gone succeeds. */
export async function deleteNetns(host: NetHost, netns: NetnsState, cacheDir: string, podId: string): Promise<void> {
  if (!netns.created || !netns.name) return;
  await ip(host, '', ['netns', 'delete', netns.name], { tolerateGone: true });
  await dropNetnsRecord(cacheDir, podId);
}
