// A small CNI runtime (spec 1.0.0): each plugin of a network list runs with CNI_* in its environment
// and its config on stdin, with name, cniVersion, runtimeConfig (declared capabilities only) and
// prevResult injected. ADD in list order, DEL in reverse and tolerant, CHECK with the ADD result.
import { z } from 'zod';
import { EngineError } from '../../errors.js';
import type { Json } from '../types.js';
import { NetworkListSchema, resolvePlugins, type NetworkList } from './cni-config.js';
import { networkFailed, type NetHost } from './host.js';
import type { Attachment } from './state.js';

type Command = 'ADD' | 'DEL' | 'CHECK';
type JsonObject = Record<string, Json>;

/** The spec's error object; codes 1-7 say the config or the call was wrong, the rest that the plugin failed. */
const CniErrorSchema = z.looseObject({ code: z.number().int(), msg: z.string().default(''), details: z.string().default('') });
const CONFIG_ERROR_CODES = new Set([1, 2, 4, 6, 7]);

const IpSchema = z.looseObject({ address: z.string(), gateway: z.string().optional(), interface: z.number().int().optional() });
/** The parts of a spec 1.0.0 result the driver reads; the raw result is what is kept and passed on. */
export const CniResultSchema = z.looseObject({
  cniVersion: z.string(),
  interfaces: z.array(z.looseObject({ name: z.string(), mac: z.string().optional(), sandbox: z.string().optional() })).default([]),
  ips: z.array(IpSchema).default([]),
  routes: z.array(z.looseObject({ dst: z.string(), gw: z.string().optional() })).default([]),
  dns: z.looseObject({ nameservers: z.array(z.string()).default([]), domain: z.string().default(''), search: z.array(z.string()).default([]) }).default({ nameservers: [], domain: '', search: [] }),
});
export type CniResult = z.infer<typeof CniResultSchema>;

export interface CniCall {
  list: NetworkList;
  pluginDirs: string[];
  containerId: string;
  netns: string;
  ifname: string;
  runtimeConfig: JsonObject;
}

async function runPlugin(host: NetHost, call: CniCall, binary: string, index: number, command: Command, prevResult: JsonObject | null): Promise<JsonObject | null> {
  const { list } = call;
  const plugin = list.plugins[index]!;
  const caps = plugin.capabilities ?? {};
  const runtimeConfig = Object.fromEntries(Object.entries(call.runtimeConfig).filter(([k]) => caps[k]));
  const stdin = { ...plugin, name: list.name, cniVersion: list.cniVersion, ...(Object.keys(runtimeConfig).length ? { runtimeConfig } : {}), ...(prevResult ? { prevResult } : {}) };
  const env = { CNI_COMMAND: command, CNI_CONTAINERID: call.containerId, CNI_NETNS: call.netns, CNI_IFNAME: call.ifname, CNI_PATH: call.pluginDirs.join(':') };
  const r = await host.run(binary, [], { input: JSON.stringify(stdin), env });
  const where = `CNI network "${list.name}" (${list.file}): plugin "${plugin.type}" ${command} for ${call.ifname}`;
  const details = { network: list.name, file: list.file, plugin: plugin.type, command, ifname: call.ifname };
  const out = parseJson(r.stdout);
  if (r.exitCode !== 0) {
    const e = CniErrorSchema.safeParse(out);
    if (!e.success) throw networkFailed(`${where} failed (exit ${r.exitCode}): ${r.stderr.trim() || r.stdout.trim() || 'no output'}`, details);
    const text = `${where} failed: ${e.data.msg}${e.data.details ? `: ${e.data.details}` : ''}`;
    const withCode = { ...details, cniCode: e.data.code };
    throw CONFIG_ERROR_CODES.has(e.data.code) ? new EngineError('INVALID_CONFIG', text, withCode) : networkFailed(text, withCode);
  }
  if (command !== 'ADD') return null;
  if (!CniResultSchema.safeParse(out).success) throw networkFailed(`${where} printed no spec ${list.cniVersion} result: ${r.stdout.slice(0, 200)}`, details);
  return out as JsonObject;
}

function parseJson(text: string): Json | undefined {
  try {
    return JSON.parse(text) as Json;
  } catch {
    return undefined;
  }
}

/** Runs ADD through the list; the last plugin's result is the network's. The caller DELs on failure. */
export async function cniAdd(host: NetHost, call: CniCall): Promise<JsonObject> {
  const binaries = await resolvePlugins(host, call.pluginDirs, call.list);
  let result: JsonObject | null = null;
  for (const [i, binary] of binaries.entries()) result = await runPlugin(host, call, binary, i, 'ADD', result);
  return result!;
}

/** DEL in reverse; every plugin runs even when one fails (each is asked to release what it holds), then the first failure is thrown. */
export async function cniDel(host: NetHost, call: CniCall, prevResult: JsonObject | null): Promise<void> {
  const binaries = await resolvePlugins(host, call.pluginDirs, call.list);
  let first: unknown = null;
  for (let i = binaries.length - 1; i >= 0; i--) {
    await runPlugin(host, call, binaries[i]!, i, 'DEL', prevResult).catch((err) => (first ??= err));
  }
  if (first) throw first;
}

/** CHECK with the ADD result as prevResult, in list order. */
export async function cniCheck(host: NetHost, call: CniCall, prevResult: JsonObject): Promise<void> {
  const binaries = await resolvePlugins(host, call.pluginDirs, call.list);
  for (const [i, binary] of binaries.entries()) await runPlugin(host, call, binary, i, 'CHECK', prevResult);
}

/** A persisted attachment back into a call: DEL uses the list as it was at ADD time. */
export function callOf(a: Attachment, pluginDirs: string[]): CniCall {
  const list = NetworkListSchema.parse(a.list);
  return { list: { name: list.name, cniVersion: list.cniVersion, plugins: list.plugins, file: a.file }, pluginDirs, containerId: a.containerId, netns: a.netns, ifname: a.ifname, runtimeConfig: a.runtimeConfig };
}
