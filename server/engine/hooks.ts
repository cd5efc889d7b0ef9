// OCI-style pod hooks (prestart, poststart, poststop). Unlike upstream, a hook that times out
// is killed rather than left running.
import { execa } from 'execa';
import { EngineError } from './errors.js';
import type { Hook } from './types.js';

export interface HookOptions {
  /** Run the hook inside this network namespace (prestart hooks see the pod's netns, as upstream). */
  netNsPath?: string;
}

export async function runHook(podId: string, kind: string, hook: Hook, opts: HookOptions = {}): Promise<void> {
  // Upstream passes the OCI state with only `pid` set (the runtime's own); we add the pod id.
  const state = { ociVersion: '1.0.0', id: podId, pid: process.pid, status: '', bundle: '' };
  const env = Object.fromEntries(
    hook.env.map((kv) => {
      const eq = kv.indexOf('=');
      return eq < 0 ? [kv, ''] : [kv.slice(0, eq), kv.slice(eq + 1)];
    }),
  );
  // Its own process group, so a timeout kills whatever the hook started too (a shell's `sleep`
  // would otherwise hold the pipes open until it finished).
  // nsenter execs the hook: the same process, so the timeout's group kill still reaches it.
  const [file, args] = opts.netNsPath ? ['/usr/bin/nsenter', [`--net=${opts.netNsPath}`, '--', hook.path, ...hook.args]] : [hook.path, hook.args];
  const child = execa(file, args, { input: JSON.stringify(state), env, extendEnv: false, detached: true });
  let timedOut = false;
  const timer =
    hook.timeout > 0
      ? setTimeout(() => {
          timedOut = true;
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        }, hook.timeout * 1000)
      : undefined;
  try {
    await child;
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; shortMessage?: string };
    const why = timedOut ? `timed out after ${hook.timeout}s` : (e.shortMessage ?? String(err));
    throw new EngineError('HOOK_FAILED', `${kind} hook ${hook.path} failed: ${why}`, {
      hook: hook.path,
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? '',
    });
  } finally {
    clearTimeout(timer);
  }
}

export async function runHooks(podId: string, kind: string, hooks: Hook[], opts: HookOptions = {}): Promise<void> {
  for (const hook of hooks) await runHook(podId, kind, hook, opts);
}
