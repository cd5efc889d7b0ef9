// Where CNI configuration comes from: network lists by name in a config dir (as libcni finds them),
// plugins by type in the plugin dirs, port mappings from a pod annotation, and the default network.
import { link, mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { configFromEnv } from '../../../config.js';
import { EngineError, formatZodError } from '../../errors.js';
import type { Json } from '../types.js';
import type { NetHost } from './host.js';
import { PortMappingSchema, type PortMapping } from './state.js';

export interface CniOptions {
  confDir: string;
  pluginDirs: string[];
  /** Write-ahead records of ADDs in flight (see cni.ts): must outlive the process, like the leases do. */
  cacheDir: string;
}

export const DEFAULT_NETWORK = 'podvisor0';
export const PORTS_ANNOTATION = 'io.podvisor.network/ports';

export function cniOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): CniOptions {
  const home = configFromEnv(env).home;
  return {
    confDir: env['PODVISOR_CNI_CONF_DIR'] || path.join(home, 'cni', 'net.d'),
    pluginDirs: (env['PODVISOR_CNI_PATH'] || '/usr/lib/cni:/opt/cni/bin').split(':').filter(Boolean),
    cacheDir: env['PODVISOR_CNI_CACHE_DIR'] || path.join(home, 'cni', 'cache'),
  };
}

// The CNI spec's network name and our own rule for plugin types: a type becomes a file name, so no '/' or '..'.
const Name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, 'must be letters, digits, "_", "." or "-"');
const PluginSchema = z.looseObject({ type: Name, capabilities: z.record(z.string(), z.boolean()).optional() });
export const NetworkListSchema = z.looseObject({ cniVersion: z.string().min(1), name: Name, plugins: z.array(PluginSchema).min(1, 'must name at least one plugin') });
/** A single-plugin .conf: libcni wraps it into a list of one. */
const ConfSchema = z.looseObject({ cniVersion: z.string().min(1), name: Name, type: Name });

export interface NetworkList {
  file: string;
  name: string;
  cniVersion: string;
  plugins: { type: string; capabilities?: Record<string, boolean>; [key: string]: unknown }[];
}

/** The default network: a bridge with an IPv4 and an IPv6 subnet, no NAT to the outside, port mapping, and the firewall plugin when it can work. */
export function defaultNetworkList(o: { name: string; bridge: string; ipv4Subnet: string; ipv6Subnet: string; firewall: boolean }): Json {
  const bridge = {
    type: 'bridge', bridge: o.bridge, isGateway: true, ipMasq: false, hairpinMode: true,
    ipam: { type: 'host-local', ranges: [[{ subnet: o.ipv4Subnet }], [{ subnet: o.ipv6Subnet }]], routes: [{ dst: '0.0.0.0/0' }, { dst: '::/0' }] },
  };
  const plugins: Json[] = [bridge, { type: 'portmap', capabilities: { portMappings: true } }];
  if (o.firewall) plugins.push({ type: 'firewall' });
  return { cniVersion: '1.0.0', name: o.name, plugins };
}

async function pluginPath(host: NetHost, dirs: string[], type: string): Promise<string | null> {
  for (const dir of dirs) {
    const info = await host.stat(path.join(dir, type));
    if (info?.kind === 'file' && info.executable) return path.join(dir, type);
  }
  return null;
}

/** The firewall plugin drives iptables; without it every ADD would fail, so the default network leaves it out. */
async function firewallWorks(host: NetHost, dirs: string[]): Promise<boolean> {
  return (await pluginPath(host, dirs, 'firewall')) !== null && (await pluginPath(host, ['/usr/sbin', '/sbin', '/usr/bin'], 'iptables')) !== null;
}

const CONF_EXT = ['.conflist', '.conf', '.json'];

/** Finds the list named `name` in the config dir (libcni's order: file names sorted); writes the default network there on first use. */
export async function loadNetworkList(host: NetHost, opts: CniOptions, name: string): Promise<NetworkList> {
  const field = 'networkConfig.cniNetwork';
  const files = await confFiles(opts.confDir);
  const broken: string[] = [];
  const found: string[] = [];
  for (const file of files) {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(file, 'utf8'));
    } catch (err) {
      broken.push(`${file}: ${(err as Error).message}`);
      continue;
    }
    const named = z.looseObject({ name: z.string() }).safeParse(raw);
    if (!named.success) {
      broken.push(`${file}: has no network name`);
      continue;
    }
    found.push(named.data.name);
    if (named.data.name === name) return parseList(file, raw);
  }
  const defaultFile = path.join(opts.confDir, `${DEFAULT_NETWORK}.conflist`);
  // A broken podvisor0.conflist is the operator's to fix, not ours to overwrite.
  if (name === DEFAULT_NETWORK && !files.includes(defaultFile)) {
    const list = defaultNetworkList({ name, bridge: 'pv0', ipv4Subnet: '10.209.0.0/24', ipv6Subnet: 'fd70:7076::/64', firewall: await firewallWorks(host, opts.pluginDirs) });
    await mkdir(opts.confDir, { recursive: true });
    // Written aside, then linked in: two pods' first use must neither overwrite nor read half a file.
    const tmp = `${defaultFile}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify(list, null, 2)}\n`);
    await link(tmp, defaultFile).catch((err) => (err.code === 'EEXIST' ? undefined : Promise.reject(err)));
    await unlink(tmp);
    return parseList(defaultFile, JSON.parse(await readFile(defaultFile, 'utf8')));
  }
  const why = broken.length ? `; unreadable: ${broken.join('; ')}` : `; defined there: ${found.join(', ') || 'none'}`;
  throw new EngineError('INVALID_CONFIG', `${field}: CNI network "${name}" is not defined in ${opts.confDir}${why}`, { field, network: name, confDir: opts.confDir, broken });
}

async function confFiles(dir: string): Promise<string[]> {
  const names = await readdir(dir).catch((err) => (err.code === 'ENOENT' ? [] : Promise.reject(err)));
  return names.filter((n) => CONF_EXT.includes(path.extname(n))).sort().map((n) => path.join(dir, n));
}

function parseList(file: string, raw: unknown): NetworkList {
  const fail = (err: z.ZodError) => new EngineError('INVALID_CONFIG', `CNI config ${file}: ${formatZodError(err)}`, { file });
  if (typeof raw === 'object' && raw !== null && 'plugins' in raw) {
    const list = NetworkListSchema.safeParse(raw);
    if (!list.success) throw fail(list.error);
    return { file, name: list.data.name, cniVersion: list.data.cniVersion, plugins: list.data.plugins };
  }
  const conf = ConfSchema.safeParse(raw);
  if (!conf.success) throw fail(conf.error);
  const { cniVersion, name, ...plugin } = conf.data;
  return { file, name, cniVersion, plugins: [plugin] };
}

/** Every plugin of the list, resolved before anything runs: a missing one must not leave half a network behind. */
export async function resolvePlugins(host: NetHost, dirs: string[], list: NetworkList): Promise<string[]> {
  return Promise.all(
    list.plugins.map(async ({ type }) => {
      const found = await pluginPath(host, dirs, type);
      if (!found) {
        throw new EngineError('INVALID_CONFIG', `CNI network "${list.name}" (${list.file}): plugin "${type}" is not in ${dirs.join(':')}`, {
          network: list.name, file: list.file, plugin: type, pluginDirs: dirs,
        });
      }
      return found;
    }),
  );
}

/** `io.podvisor.network/ports`: JSON `[{"hostPort":8080,"containerPort":80,"protocol":"tcp"}]`. */
export function portMappingsFrom(annotations: Record<string, string>): PortMapping[] {
  const raw = annotations[PORTS_ANNOTATION];
  if (raw === undefined || raw.trim() === '') return [];
  const field = `annotations["${PORTS_ANNOTATION}"]`;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (err) {
    throw new EngineError('INVALID_CONFIG', `${field}: not JSON (${(err as Error).message})`, { field });
  }
  const schema = z.array(PortMappingSchema).superRefine((maps, ctx) => {
    const seen = new Set<string>();
    maps.forEach((m, i) => {
      const key = `${m.hostPort}/${m.protocol}`;
      if (seen.has(key)) ctx.addIssue({ code: 'custom', path: [i, 'hostPort'], message: `maps ${key} twice` });
      seen.add(key);
    });
  });
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new EngineError('INVALID_CONFIG', `${field}: ${formatZodError(parsed.error)}`, { field });
  return parsed.data;
}
