// Sandbox-level setup in the guest: the hostname and the shared storages (the host's shared
// directory, mounted where the containers' rootfs bind mounts appear).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { GuestNetwork } from '../protocol/network.js';
import type { Storage } from '../protocol/ops.js';
import { configureNetwork, type NetworkOptions } from './network.js';
import { runChecked } from './runtime.js';

export interface SandboxOptions {
  /** False when the agent runs on a host for tests: the shared dir is already there. */
  mountStorages: boolean;
  setHostname: boolean;
  /** Null when the agent runs on a host for tests: it must never touch the host's links. */
  network: NetworkOptions | null;
}

async function isMountPoint(path: string): Promise<boolean> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const target = path.replace(/\/+$/, '') || '/';
  return mountinfo.split('\n').some((line) => line.split(' ')[4] === target);
}

/** Returns where the network files for containers are, or null when this agent does not manage them. */
export async function setupSandbox(options: SandboxOptions, hostname: string, storages: Storage[], network: GuestNetwork): Promise<string | null> {
  if (options.setHostname && hostname) await writeFile('/proc/sys/kernel/hostname', hostname);
  let filesDir: string | null = null;
  if (options.network) {
    await mkdir(options.network.filesDir, { recursive: true });
    await configureNetwork(network, hostname, options.network);
    filesDir = options.network.filesDir;
  }
  await mountStorages(options, storages);
  return filesDir;
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

export async function teardownSandbox(options: SandboxOptions, storages: Storage[]): Promise<void> {
  if (!options.mountStorages) return;
  for (const storage of storages) await runChecked('umount', ['-l', storage.mountPoint]).catch(() => {});
}
