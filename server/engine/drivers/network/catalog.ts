// The CNI networks a pod can join on this host, for the console's create form: what the config dir
// defines, read the way the CNI driver reads it (loadNetworkList), plus the default network, which
// exists as soon as a pod uses it. A pure read: nothing is written, no plugin runs.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { cniOptionsFromEnv, DEFAULT_NETWORK, loadNetworkList, type CniOptions, type NetworkList } from './cni-config.js';
import type { NetHost } from './host.js';

export interface CniNetworkEntry {
  name: string;
  /** The file that defines it; '' for the default network before its first use writes it. */
  file: string;
  isDefault: boolean;
  /** Plugin types in chain order (bridge, portmap, …); empty until the default network is written. */
  plugins: string[];
  /** The IPAM subnets of the chain's plugins (host-local `ranges` or `subnet`), IPv4 and IPv6. */
  subnets: string[];
  /** Why the CNI driver would refuse this network (its file does not parse); null when usable. */
  problem: string | null;
}

export interface CniCatalog {
  confDir: string;
  networks: CniNetworkEntry[];
  /** Files the driver passes over: not JSON, no network name, or a name an earlier file already took. */
  ignored: { file: string; reason: string }[];
}

/** The extensions the driver reads (libcni's), as cni-config.ts lists them. */
const CONF_EXT = ['.conflist', '.conf', '.json'];

const IpamSchema = z.looseObject({
  ipam: z
    .looseObject({
      subnet: z.string().optional(),
      ranges: z.array(z.array(z.looseObject({ subnet: z.string() }))).optional(),
    })
    .optional(),
});

function subnetsOf(list: NetworkList): string[] {
  const subnets = list.plugins.flatMap((plugin) => {
    const ipam = IpamSchema.safeParse(plugin).data?.ipam;
    return [...(ipam?.subnet ? [ipam.subnet] : []), ...(ipam?.ranges ?? []).flat().map((r) => r.subnet)];
  });
  return [...new Set(subnets)];
}

/**
 * loadNetworkList needs a host only to probe the firewall plugin when it writes the default network.
 * The catalog asks only for names it found in a file, but a file removed in between would make it
 * write one: this host makes that path fail instead, so the catalog never writes.
 */
const NO_HOST: NetHost = {
  run: () => Promise.reject(new Error('the CNI catalog runs nothing')),
  stat: () => Promise.reject(new Error('the CNI catalog probes nothing')),
};

/** The name each file declares, in the driver's order (file names sorted); the first file of a name wins, as in the driver. */
async function namesInDir(confDir: string) {
  const entries = await readdir(confDir).catch((err) => (err.code === 'ENOENT' ? [] : Promise.reject(err)));
  const files = entries.filter((n) => CONF_EXT.includes(path.extname(n))).sort().map((n) => path.join(confDir, n));
  const names: string[] = [];
  const firstFile = new Map<string, string>();
  const ignored: CniCatalog['ignored'] = [];
  for (const file of files) {
    let name: unknown;
    try {
      name = (JSON.parse(await readFile(file, 'utf8')) as { name?: unknown } | null)?.name;
    } catch (err) {
      ignored.push({ file, reason: (err as Error).message });
      continue;
    }
    if (typeof name !== 'string') ignored.push({ file, reason: 'has no network name' });
    else if (firstFile.has(name)) ignored.push({ file, reason: `network "${name}" is already defined in ${firstFile.get(name)}` });
    else {
      firstFile.set(name, file);
      names.push(name);
    }
  }
  return { files, names, ignored };
}

async function entryOf(opts: CniOptions, name: string): Promise<CniNetworkEntry> {
  const isDefault = name === DEFAULT_NETWORK;
  try {
    const list = await loadNetworkList(NO_HOST, opts, name);
    return { name, file: list.file, isDefault, plugins: list.plugins.map((p) => p.type), subnets: subnetsOf(list), problem: null };
  } catch (err) {
    return { name, file: '', isDefault, plugins: [], subnets: [], problem: (err as Error).message };
  }
}

/**
 * The default network when no file declares it: the driver writes it on first use, unless its file
 * name is taken (by a broken file, or one that names another network), which the operator must fix.
 */
function unwrittenDefault(opts: CniOptions, files: string[], ignored: CniCatalog['ignored']): CniNetworkEntry {
  const file = path.join(opts.confDir, `${DEFAULT_NETWORK}.conflist`);
  const taken = files.includes(file) ? (ignored.find((i) => i.file === file)?.reason ?? 'defines another network') : null;
  return { name: DEFAULT_NETWORK, file: '', isDefault: true, plugins: [], subnets: [], problem: taken && `${file}: ${taken}` };
}

/** Every network a pod's `networkConfig.cniNetwork` may name, the default first. */
export async function listCniNetworks(opts: CniOptions = cniOptionsFromEnv()): Promise<CniCatalog> {
  const { files, names, ignored } = await namesInDir(opts.confDir);
  // A handful of files: loading each name again through the driver's parser costs less than a second parser would.
  const networks = await Promise.all(names.map((name) => entryOf(opts, name)));
  if (!names.includes(DEFAULT_NETWORK)) networks.push(unwrittenDefault(opts, files, ignored));
  networks.sort((a, b) => Number(b.isDefault) - Number(a.isDefault) || a.name.localeCompare(b.name));
  return { confDir: opts.confDir, networks, ignored };
}
