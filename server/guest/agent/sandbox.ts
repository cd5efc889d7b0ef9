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

export async function setupSandbox(options: SandboxOptions, request: SandboxRequest): Promise<Sandbox> {
  const { hostname, storages, network } = request;
  // setHostname is false only for an agent run on a host for tests: it must not touch its clock either.
  if (options.setHostname && request.identity) await applyIdentity(request.identity);
  if (options.setHostname && hostname) await writeFile('/proc/sys/kernel/hostname', hostname);
  let networkFilesDir: string | null = null;
  if (options.network) {
    await mkdir(options.network.filesDir, { recursive: true });
    await configureNetwork(network, hostname, options.network);
    networkFilesDir = options.network.filesDir;
  }
  await mountStorages(options, storages);
  return { networkFilesDir, volumes: await mountVolumes(options, request.volumes), storages };
}

/**
 * A clone's clock stands at its template's save time until set; the seed is mixed into the kernel's
 * pool (vmgenid already made the kernel reseed on restore). On a cold boot both are harmless.
 */
async function applyIdentity(identity: { timeMs: number; seed: string }): Promise<void> {
  await writeFile('/dev/urandom', Buffer.from(identity.seed, 'base64'));
  await runChecked('date', ['-u', '-s', `@${Math.round(identity.timeMs / 1000)}`]);
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
