// What every host builds the same way on its primitives, so the Linux host and the fake cannot
// drift apart: the TERM → grace → KILL sequence (one implementation for QEMU, proxies and shims,
// parameterised by the "is it still ours" check), mountinfo parsing, and mount/umount.
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Host, IsOurs } from './types.js';

/** What a host must provide itself; the rest of Host is derived. */
export type HostPrimitives = Pick<Host, 'run' | 'spawn' | 'stat' | 'cmdline' | 'exiting' | 'signal' | 'checkpoint'> & {
  /** The text of /proc/self/mountinfo ('' when unreadable). */
  readMountinfo(): Promise<string>;
};

const POLL_MS = 20;

/** Field 5 of each mountinfo line, with the kernel's octal escapes (\040 for a space) decoded. */
export function mountPointsOf(mountinfo: string): string[] {
  return mountinfo
    .split('\n')
    .map((line) => line.split(' ')[4]?.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8))))
    .filter((p): p is string => !!p);
}

export function deriveHost(p: HostPrimitives): Host {
  const waitForExit = async (pid: number, isOurs: IsOurs, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    // Gone means all of it: a killed multi-threaded process (QEMU, a Node helper) loses its argv when
    // its main thread turns zombie, while its other threads still hold its sockets (a proxy's listening
    // socket accepts, then resets) and files (a share QEMU's 9p server has open).
    while ((await isOurs(pid)) || (await p.exiting(pid))) {
      if (Date.now() > deadline) return false;
      await sleep(POLL_MS);
    }
    return true;
  };
  const mountCommand = async (cmd: 'mount' | 'umount', args: string[]) => {
    const r = await p.run(cmd, args);
    if (r.exitCode !== 0) throw Object.assign(new Error(`${cmd} ${args.join(' ')}: ${r.stderr.trim() || `exit ${r.exitCode}`}`), { stderr: r.stderr });
  };
  const host: Host = {
    ...p,
    waitForExit,
    async terminate(pid, isOurs, opts = {}) {
      if (pid <= 0) return true;
      for (const [signal, waitMs] of [['SIGTERM', opts.graceMs ?? 3_000], ['SIGKILL', opts.killMs ?? 3_000]] as const) {
        if (!(await isOurs(pid))) return true;
        if (!p.signal(pid, signal)) return true;
        if (await waitForExit(pid, isOurs, waitMs)) return true;
      }
      return false;
    },
    mountPoints: async () => mountPointsOf(await p.readMountinfo()),
    isMountPoint: async (path) => (await host.mountPoints()).includes(resolve(path)),
    async mount(source, target, opts = {}) {
      const args = [...(opts.bind ? ['--bind'] : []), ...(opts.fstype ? ['-t', opts.fstype] : []), ...(opts.options?.length ? ['-o', opts.options.join(',')] : [])];
      await mountCommand('mount', [...args, ...(source ? [source] : []), target]);
    },
    umount: (target, opts = {}) => mountCommand('umount', [...(opts.lazy ? ['-l'] : []), target]),
  };
  return host;
}
