// How the create form presents the host's CNI networks (system.cniNetworks): the select's options
// and labels, and a hint that says what the chosen network is made of, or why the engine would refuse it.
import type { CniCatalog, CniNetworkEntry } from '../../server/engine/drivers/network/catalog';

/** The catalog's names, plus the current value: a value the host no longer defines stays visible rather than silently changing. */
export function cniNetworkOptions(catalog: CniCatalog | undefined, current: string): string[] {
  const names = catalog?.networks.map((n) => n.name) ?? [];
  return names.includes(current) ? names : [current, ...names];
}

export function cniNetworkLabel(entry: CniNetworkEntry | undefined, name: string): string {
  if (!entry) return `${name} (not defined on this host)`;
  return `${name}${entry.isDefault ? ' (default)' : ''}${entry.problem ? ' — unusable' : ''}`;
}

export function cniNetworkHint(catalog: CniCatalog | undefined, name: string): string {
  if (!catalog) return 'Loading the networks defined on this host…';
  const entry = catalog.networks.find((n) => n.name === name);
  if (!entry) return `No network "${name}" in ${catalog.confDir}: the pod would not start`;
  if (entry.problem) return entry.problem;
  if (!entry.file) return `Podvisor's bridge with an IPv4 and an IPv6 subnet, written to ${catalog.confDir} when a pod first uses it`;
  return `${entry.plugins.join(' → ')} · ${entry.subnets.join(', ') || 'no host-local subnet'} (${entry.file})`;
}
