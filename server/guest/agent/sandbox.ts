// Sandbox-level setup in the guest: the hostname and the shared storages (the host's shared
// directory, mounted where the containers' rootfs bind mounts appear).
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import type { Storage } from '../protocol/ops.js';
import { runChecked } from './runtime.js';

export interface SandboxOptions {
  /** False when the agent runs on a host for tests: the shared dir is already there. */
  mountStorages: boolean;
  setHostname: boolean;
}

async function isMountPoint(path: string): Promise<boolean> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const target = path.replace(/\/+$/, '') || '/';
  return mountinfo.split('\n').some((line) => line.split(' ')[4] === target);
}

export async function setupSandbox(options: SandboxOptions, hostname: string, storages: Storage[]): Promise<void> {
  if (options.setHostname && hostname) await writeFile('/proc/sys/kernel/hostname', hostname);
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
