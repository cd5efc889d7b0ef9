// OCI-style pod hooks (prestart, poststart, poststop), run through the host seam. Unlike upstream,
// a hook that times out is killed (with whatever it started: the host runs it in its own process group).
import { EngineError } from './errors.js';
import type { Host } from './host/types.js';
import type { Hook } from './types.js';

export interface HookOptions {
  /** Run the hook inside this network namespace (prestart hooks see the pod's netns, as upstream). */
  netNsPath?: string;
}

export async function runHook(host: Host, podId: string, kind: string, hook: Hook, opts: HookOptions = {}): Promise<void> {
  // Upstream passes the OCI state with only `pid` set (the runtime's own); we add the pod id.
  const state = { ociVersion: '1.0.0', id: podId, pid: process.pid, status: '', bundle: '' };
  const env = Object.fromEntries(
    hook.env.map((kv) => {
      const eq = kv.indexOf('=');
      return eq < 0 ? [kv, ''] : [kv.slice(0, eq), kv.slice(eq + 1)];
    }),
  );
  const failed = (why: string, out: { stdout?: string; stderr?: string } = {}) =>
    new EngineError('HOOK_FAILED', `${kind} hook ${hook.path} failed: ${why}`, { hook: hook.path, stdout: out.stdout ?? '', stderr: out.stderr ?? '' });
  const r = await host
    .run(hook.path, hook.args, { input: JSON.stringify(state), env, cleanEnv: true, timeoutMs: hook.timeout * 1000, ...(opts.netNsPath ? { netns: opts.netNsPath } : {}) })
    .catch((err: Error) => {
      throw failed(err.message);
    });
  if (r.timedOut) throw failed(`timed out after ${hook.timeout}s`, r);
  if (r.exitCode !== 0) throw failed(`exit code ${r.exitCode}`, r);
}

/** Announced as the step `hooks.<kind>` (a fake host's fault plan may fail there), then each hook in order. */
export async function runHooks(host: Host, podId: string, kind: string, hooks: Hook[], opts: HookOptions = {}): Promise<void> {
  await host.checkpoint?.(`hooks.${kind}`);
  for (const hook of hooks) await runHook(host, podId, kind, hook, opts);
}
