// The network driver's netns and link operations: `ip` and the CNI plugins through the host seam
// (server/engine/host), whose run() enters a netns when asked. Logic tests script the fake host.
import type { z } from 'zod';
import { EngineError } from '../../errors.js';
import { linuxHost } from '../../host/linux.js';
import type { Host } from '../../host/types.js';

export type { FileInfo, RunOptions, RunResult } from '../../host/types.js';

/** The part of the host seam the network driver uses: programs (in a netns or not) and file checks. */
export type NetHost = Pick<Host, 'run' | 'stat'>;

export const linuxNetHost: NetHost = linuxHost;

/** Failures of the host's networking (a plugin, `ip`) as opposed to a wrong config. */
export function networkFailed(message: string, details?: Record<string, unknown>, cause?: unknown): EngineError {
  return new EngineError('NETWORK_FAILED', message, details, cause === undefined ? undefined : { cause });
}

/** What `ip` says when the thing to delete is already gone: a delete that finds nothing has succeeded. */
const GONE = /Cannot find device|does not exist|No such device|Cannot open network namespace|No such file or directory/i;

/** `ip` inside `netns` ('' for the host's); throws NETWORK_FAILED with ip's own words. */
export async function ip(host: NetHost, netns: string, args: string[], opts: { tolerateGone?: boolean } = {}): Promise<string> {
  const r = await host.run('ip', args, netns ? { netns } : {});
  if (r.exitCode === 0) return r.stdout;
  if (opts.tolerateGone && GONE.test(r.stderr)) return '';
  throw networkFailed(`ip ${args.join(' ')}${netns ? ` (in ${netns})` : ''} failed: ${r.stderr.trim() || `exit ${r.exitCode}`}`, { netns, args });
}

/** `ip -j …` parsed with `schema`: iproute2's JSON output is the only way we read links and routes. */
export async function ipJson<T>(host: NetHost, netns: string, args: string[], schema: z.ZodType<T>): Promise<T> {
  const out = await ip(host, netns, ['-j', ...args]);
  let json: unknown;
  try {
    json = JSON.parse(out || '[]');
  } catch {
    json = undefined;
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw networkFailed(`unexpected output from ip -j ${args.join(' ')}: ${out.slice(0, 200)}`);
  return parsed.data;
}
