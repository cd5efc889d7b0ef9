// Sandbox-level setup in the guest: the hostname, the network, the shared storages (the host's
// shared directory, mounted where the containers' rootfs bind mounts appear) and the pod's volumes.
import { mkdir, writeFile } from 'node:fs/promises';
import type { GuestNetwork } from '../protocol/network.js';
import type { Storage, VolumeStorage } from '../protocol/ops.js';
import { isMountPoint } from './mountinfo.js';
import { configureNetwork, type NetworkOptions } from './network.js';
import { runChecked } from './runtime.js';
import { mountVolumes, unmountVolumes, type MountedVolumes, type VolumeOptions } from './volumes.js';

export interface SandboxOptions extends VolumeOptions {
  /** False when the agent runs on a host for tests: the shared dir is already there. */
  mountStorages: boolean;
  setHostname: boolean;
  /** Null when the agent runs on a host for tests: it must never touch the host's links. */
  network: NetworkOptions | null;
}

export interface SandboxRequest {
  hostname: string;
  storages: Storage[];
  volumes: VolumeStorage[];
  network: GuestNetwork;
  identity?: { timeMs: number; seed: string } | undefined;
}

export interface Sandbox {
  /** Where the network files for containers are, or null when this agent does not manage them. */
  networkFilesDir: string | null;
  volumes: MountedVolumes;
  storages: Storage[];
}

/** `date -s` takes whole seconds: a clock closer than this to the host's is as right as it can make it. */
const CLOCK_TOLERANCE_MS = 1_000;

export async function setupSandbox(options: SandboxOptions, request: SandboxRequest): Promise<Sandbox> {
  const { hostname, storages, network, identity } = request;
  // setHostname is false only for an agent run on a host for tests: it must not touch its clock either.
  const own = options.setHostname && identity;
  // A clone's random state is its template's until the seed is mixed in (vmgenid already made the
  // kernel reseed on restore): before anything else. Harmless on a cold boot.
  if (own) await writeFile('/dev/urandom', Buffer.from(identity.seed, 'base64'));
  // A clone's clock stands at its template's save time until set; a cold-booted guest read the RTC
  // and is right to the second, so it is left alone. `date` is a process of its own (0.1-0.2 s
  // under TCG): it runs while the network and the shares are set up, which are independent too.
  const clockOff = own && Math.abs(Date.now() - identity.timeMs) > CLOCK_TOLERANCE_MS;
  const clock = clockOff ? runChecked('date', ['-u', '-s', `@${Math.round(identity.timeMs / 1000)}`]) : Promise.resolve('');
  const net = (async () => {
    if (options.setHostname && hostname) await writeFile('/proc/sys/kernel/hostname', hostname);
    if (!options.network) return null;
    await mkdir(options.network.filesDir, { recursive: true });
    await configureNetwork(network, hostname, options.network);
    return options.network.filesDir;
  })();
  const shares = (async () => {
    await mountStorages(options, storages);
    return mountVolumes(options, request.volumes);
  })();
  const [, networkFilesDir, volumes] = await allSettledOrThrow([clock, net, shares] as const);
  return { networkFilesDir, volumes, storages };
}

/** Promise.all that lets every step settle before throwing the first failure: nothing still runs behind a failed reply. */
async function allSettledOrThrow<T extends readonly unknown[]>(steps: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const results = await Promise.allSettled(steps);
  for (const r of results) if (r.status === 'rejected') throw r.reason;
  return results.map((r) => (r as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

async function mountStorages(options: SandboxOptions, storages: Storage[]): Promise<void> {
  if (!options.mountStorages) return;
  for (const storage of storages) {
    await mkdir(storage.mountPoint, { recursive: true });
    if (await isMountPoint(storage.mountPoint)) continue;
    const opts = storage.options.length ? ['-o', storage.options.join(',')] : [];
    await runChecked('mount', ['-t', storage.fstype, ...opts, storage.source, storage.mountPoint]);
  }
}

export async function teardownSandbox(options: SandboxOptions, sandbox: Sandbox): Promise<void> {
  await unmountVolumes(sandbox.volumes).catch(() => {});
  if (!options.mountStorages) return;
  for (const storage of sandbox.storages) await runChecked('umount', ['-l', storage.mountPoint]).catch(() => {});
}
