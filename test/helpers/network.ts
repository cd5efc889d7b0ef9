// What a pod's network may leave on the host, in a form two snapshots can be compared in:
// network namespaces, the host's links, the default network's IPAM leases and the firewall rules.
import { readdir } from 'node:fs/promises';
import { execa } from 'execa';

const LEASE_DIR = '/var/lib/cni/networks/podvisor0';

/** iptables-save without its comments and packet counters, which change on their own. */
async function rules(binary: string): Promise<string[]> {
  const { stdout } = await execa(binary, [], { reject: false });
  return stdout
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.replace(/\[\d+:\d+\]/g, ''))
    .sort();
}

export async function hostNetworkSnapshot() {
  const netns = (await execa('ip', ['netns', 'list'])).stdout.split('\n').map((l) => l.split(' ')[0]!).filter(Boolean).sort();
  const links = (await execa('ip', ['-o', 'link'])).stdout.split('\n').map((l) => l.split(':')[1]!.trim().split('@')[0]!).sort();
  // host-local keeps a lock and a last-reserved cursor there: only the lease files are leases.
  const leases = (await readdir(LEASE_DIR).catch(() => [] as string[])).filter((f) => f !== 'lock' && !f.startsWith('last_reserved_ip')).sort();
  return { netns, links, leases, iptables: await rules('iptables-save'), ip6tables: await rules('ip6tables-save') };
}
