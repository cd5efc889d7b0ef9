// OCI-style pod hooks (prestart, poststart, poststop), run through the host seam, as the OCI runtime
// spec says: `path` is executed with argv[0] = args[0] and the arguments args[1..] (upstream appended
// every arg after the path, so an OCI hook config arrived shifted by one), and the OCI state of the
// pod on stdin. Unlike upstream, a hook that times out is killed (with whatever it started: the host
// runs it in its own process group). Remaining differences: docs/differences.md#hooks.
import { EngineError } from './errors.js';
import type { Host } from './host/types.js';
import type { Hook } from './types.js';

export type HookKind = 'prestart' | 'poststart' | 'poststop';

/** The OCI runtime-spec version whose state document hooks get. */
export const OCI_VERSION = '1.0.2';
/** Where upstream's OCI front end (pkg/oci) kept the bundle's path on the pod. */
export const BUNDLE_ANNOTATION = 'com.github.containers.virtcontainers.pkg.oci.bundle_path';

/** The pod's state when each kind runs, in OCI's words: prestart runs while the pod is being made. */
const STATUS: Record<HookKind, 'creating' | 'running' | 'stopped'> = { prestart: 'creating', poststart: 'running', poststop: 'stopped' };

export interface HookOptions {
  /** Run the hook inside this network namespace (prestart hooks see the pod's netns, as upstream). */
  netNsPath?: string;
  /** The pod's annotations: the state's `annotations`, and `bundle` from BUNDLE_ANNOTATION. */
  annotations?: Record<string, string>;
  /** The VM's process (QEMU) once there is one; absent before boot and after stop. */
  pid?: number | null;
}

/** The state document on a hook's stdin (OCI runtime spec, "State"). `pid` only where a VM runs. */
export interface HookState {
  ociVersion: string;
  id: string;
  status: (typeof STATUS)[HookKind];
  pid?: number;
  bundle: string;
  annotations: Record<string, string>;
}

export function hookState(podId: string, kind: HookKind, opts: HookOptions = {}): HookState {
  const annotations = opts.annotations ?? {};
  return {
    ociVersion: OCI_VERSION,
    id: podId,
    status: STATUS[kind],
    ...(opts.pid ? { pid: opts.pid } : {}),
    bundle: annotations[BUNDLE_ANNOTATION] ?? '',
    annotations,
  };
}

/** execve's view of a hook: args[0] is argv[0]; with no args at all, the path is (as a shell would). */
export function hookArgv(hook: Hook): { argv0: string; args: string[] } {
  return { argv0: hook.args[0] ?? hook.path, args: hook.args.slice(1) };
}

export async function runHook(host: Host, podId: string, kind: HookKind, hook: Hook, opts: HookOptions = {}): Promise<void> {
  const env = Object.fromEntries(
    hook.env.map((kv) => {
      const eq = kv.indexOf('=');
      return eq < 0 ? [kv, ''] : [kv.slice(0, eq), kv.slice(eq + 1)];
    }),
  );
  const failed = (why: string, out: { stdout?: string; stderr?: string } = {}) =>
    new EngineError('HOOK_FAILED', `${kind} hook ${hook.path} failed: ${why}`, { hook: hook.path, stdout: out.stdout ?? '', stderr: out.stderr ?? '' });
  const { argv0, args } = hookArgv(hook);
  const r = await host
    .run(hook.path, args, {
      argv0,
      input: JSON.stringify(hookState(podId, kind, opts)),
      env,
      cleanEnv: true,
      timeoutMs: hook.timeout * 1000,
      ...(opts.netNsPath ? { netns: opts.netNsPath } : {}),
    })
    .catch((err: Error) => {
      throw failed(err.message);
    });
  if (r.timedOut) throw failed(`timed out after ${hook.timeout}s`, r);
  if (r.exitCode !== 0) throw failed(`exit code ${r.exitCode}`, r);
}

/** Announced as the step `hooks.<kind>` (a fake host's fault plan may fail there), then each hook in order. */
export async function runHooks(host: Host, podId: string, kind: HookKind, hooks: Hook[], opts: HookOptions = {}): Promise<void> {
  await host.checkpoint?.(`hooks.${kind}`);
  for (const hook of hooks) await runHook(host, podId, kind, hook, opts);
}
