// What pods on the default network may leave on the host, in a form two snapshots can be compared
// in: Podvisor's network namespaces, the ports of the podvisor0 bridge, its IPAM leases and the
// firewall rules that name it. Scoped to podvisor0 on purpose: other test files run in parallel
// and make bridges, namespaces and rules of their own.
import { readdir } from 'node:fs/promises';
import { execa } from 'execa';

const LEASE_DIR = '/var/lib/cni/networks/podvisor0';
const OURS = /podvisor0|10\.209\.0\.|fd70:7076:/;

/** iptables-save lines about podvisor0, without packet counters, which change on their own. */
async function rules(binary: string): Promise<string[]> {
  const { stdout } = await execa(binary, [], { reject: false });
  return stdout
    .split('\n')
    .filter((l) => OURS.test(l))
    .map((l) => l.replace(/\[\d+:\d+\]/g, ''))
    .sort();
}

export async function hostNetworkSnapshot() {
  const netns = (await execa('ip', ['netns', 'list'])).stdout.split('\n').map((l) => l.split(' ')[0]!).filter((n) => n.startsWith('pv')).sort();
  // The host ends of the pods' veths hang on the bridge: one left behind is a leaked link.
  const { stdout: ports } = await execa('ip', ['-o', 'link', 'show', 'master', 'pv0'], { reject: false });
  const bridgePorts = ports.split('\n').filter(Boolean).map((l) => l.split(':')[1]!.trim().split('@')[0]!).sort();
  // host-local keeps a lock and a last-reserved cursor there: only the lease files are leases.
  const leases = (await readdir(LEASE_DIR).catch(() => [] as string[])).filter((f) => f !== 'lock' && !f.startsWith('last_reserved_ip')).sort();
  return { netns, bridgePorts, leases, iptables: await rules('iptables-save'), ip6tables: await rules('ip6tables-save') };
}
