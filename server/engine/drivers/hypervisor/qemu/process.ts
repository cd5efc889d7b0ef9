// The QEMU process itself, through the host seam: spawned detached so it outlives the CLI that
// created the pod, recognised again by PID (guarding against PID reuse) and made sure of when stopping.
import { linuxHost } from '../../../host/linux.js';
import type { Host, IsOurs, Spawned } from '../../../host/types.js';
import { escapeOptionValue } from './args.js';

/**
 * Own process group (not -daemonize, which would hide the PID), stdio to a log file. With a netns,
 * QEMU runs inside it (same PID), and the tap devices there are QEMU's to open. `fds` become the
 * child's fds 3, 4, ….
 */
export function spawnQemu(host: Host, binary: string, args: string[], logPath: string, opts: { netNsPath: string; fds: number[] }): Promise<Spawned> {
  return host.spawn(binary, args, { logPath, fds: opts.fds, ...(opts.netNsPath ? { netns: opts.netNsPath } : {}) });
}

/** Our QEMU is a live process whose command line names this pod's QMP socket. A zombie has none. */
export async function isOurQemu(pid: number, qmpSocket: string, host: Host = linuxHost): Promise<boolean> {
  const qmpArg = `unix:${escapeOptionValue(qmpSocket)},`;
  return ((await host.cmdline(pid)) ?? []).some((arg) => arg.startsWith(qmpArg));
}

/** The identity check the host's waitForExit and terminate take for this pod's QEMU. */
export const ourQemu = (qmpSocket: string, host: Host): IsOurs => (pid) => isOurQemu(pid, qmpSocket, host);
