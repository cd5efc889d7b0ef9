// virtio-fs for the qemu driver: which transport each share takes, and the virtiofsd behind each
// virtio-fs share. QEMU 7.2's C virtiofsd serves one directory, so a pod runs one per share; each is
// started before QEMU (which connects to its socket at startup) and reaped with the VM.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { EngineError } from '../../../errors.js';
import type { Host, IsOurs } from '../../../host/types.js';
import type { HypervisorConfig } from '../../../types.js';
import type { SharedFs } from '../../devices.js';

/** Debian's qemu-system-common ships it here; there is no separate package. */
export const VIRTIOFSD = '/usr/lib/qemu/virtiofsd';
/** It listens within ~50 ms; allow for a loaded host. */
const SOCKET_WAIT_MS = 10_000;
/** It exits by itself once QEMU's connection drops; this is only how long we wait for that. */
const EXIT_WAIT_MS = 2_000;

/** The pod's transport: '' picks virtio-fs where the host has virtiofsd, as the issue asks. */
export function podSharedFs(configured: HypervisorConfig['sharedFs'], daemonAvailable = existsSync(VIRTIOFSD)): SharedFs {
  if (configured === 'virtio-9p') return 'virtio-9p';
  if (configured === 'virtio-fs' && !daemonAvailable) {
    const field = 'hypervisorConfig.sharedFs';
    throw new EngineError('NOT_SUPPORTED', `${field}: virtio-fs needs ${VIRTIOFSD}, which this host does not have`, { field });
  }
  return daemonAvailable ? 'virtio-fs' : 'virtio-9p';
}

/**
 * C virtiofsd cannot export read-only (it has no such option, and the guest's `ro` is no boundary
 * against the guest), while 9p's readonly=on is enforced by QEMU: a read-only share stays 9p.
 */
export function shareFs(podFs: SharedFs, readOnly: boolean): SharedFs {
  return readOnly ? 'virtio-9p' : podFs;
}

/** What the driver persists of each virtiofsd, to reap it with the VM. */
export const VirtiofsdStateSchema = z.object({ tag: z.string(), pid: z.number().int().positive(), socketPath: z.string() });
export type VirtiofsdState = z.infer<typeof VirtiofsdStateSchema>;

/** virtiofsd parses -o like libfuse: "," separates options, a backslash escapes the next character. */
const fuseOptionValue = (value: string) => value.replace(/[\\,]/g, '\\$&');

/** The argv after the binary; the socket path comes first, which is also what identifies the process. */
export function virtiofsdArgs(socketPath: string, source: string): string[] {
  return [
    `--socket-path=${socketPath}`,
    '-o', `source=${fuseOptionValue(source)}`,
    // chroot rather than the default private mount namespace: the agent binds each container's
    // rootfs into the shared dir after boot, and a namespace copied from a host whose / is private
    // (containers, this CI) never sees those binds. virtiofsd stays in the engine's mount namespace.
    '-o', 'sandbox=chroot',
    // Those binds are other filesystems: announced, each becomes its own submount in the guest, so
    // inode numbers of two host filesystems never meet in one guest mount (find, tar, du rely on them).
    '-o', 'announce_submounts',
    // The guest revalidates within a second: files the host puts in a volume show up, as with 9p.
    '-o', 'cache=auto',
  ];
}

export const virtiofsdMarker = (socketPath: string) => `--socket-path=${socketPath}`;

/** Our virtiofsd is a live process whose argv names this socket (guards against PID reuse). */
export const ourVirtiofsd = (host: Host, socketPath: string): IsOurs => async (pid) =>
  ((await host.cmdline(pid)) ?? []).includes(virtiofsdMarker(socketPath));

async function lastLines(logPath: string): Promise<string> {
  return (await readFile(logPath, 'utf8').catch(() => '')).trim().split('\n').slice(-3).join('\n');
}

/**
 * Starts a virtiofsd and resolves once its socket exists (QEMU fails at once on a missing one).
 * Not in the pod's netns: it serves files only and never touches the network.
 */
export async function startVirtiofsd(host: Host, share: { tag: string; hostPath: string; socketPath: string }, logPath: string): Promise<VirtiofsdState> {
  const spawned = await host.spawn(VIRTIOFSD, virtiofsdArgs(share.socketPath, share.hostPath), { logPath });
  const state = { tag: share.tag, pid: spawned.pid, socketPath: share.socketPath };
  let exit: string | null = null;
  void spawned.exited.then((reason) => (exit = reason));
  const deadline = Date.now() + SOCKET_WAIT_MS;
  while (!(await host.stat(share.socketPath))) {
    if (exit !== null || Date.now() > deadline) {
      await stopVirtiofsd(host, state);
      const why = exit ?? `no socket within ${SOCKET_WAIT_MS / 1000} s`;
      throw new EngineError('HYPERVISOR_FAILED', `virtiofsd for share ${share.tag} ${why}\n${await lastLines(logPath)}`.trim());
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return state;
}

/** Idempotent: waits briefly for the exit QEMU's death causes, then TERM → KILL. */
export async function stopVirtiofsd(host: Host, d: VirtiofsdState): Promise<void> {
  const ours = ourVirtiofsd(host, d.socketPath);
  const gone = (await host.waitForExit(d.pid, ours, EXIT_WAIT_MS)) || (await host.terminate(d.pid, ours));
  if (!gone) throw new EngineError('HYPERVISOR_FAILED', `virtiofsd (pid ${d.pid}) of share ${d.tag} does not exit`);
}
