// What this host offers new pods, as facts found rather than assumed: the accelerator pods run
// under and why (the qemu driver's probe verdict), QEMU's version, the guest assets with their
// build stamp and kernel version, the shared filesystem and network support present, and the
// memory free for new pods.
import { execFile } from 'node:child_process';
import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { readFile } from 'node:fs/promises';
import { configFromEnv } from '../config.js';
import { acceleratorReason, cniOptionsFromEnv, GUEST_ASSET_NAMES, GUEST_FILES, guestDir as qemuGuestDir, hostAccelerator, VIRTIOFSD } from '../engine/index.js';
import { hostMemory } from './host.js';

/** The plugins the CNI driver's default network chains (bridge + host-local IPAM + portmap). */
const CNI_PLUGINS = ['bridge', 'host-local', 'portmap', 'loopback'];

export async function qemuVersion(): Promise<string | null> {
  try {
    const { stdout } = await promisify(execFile)('qemu-system-x86_64', ['--version'], { timeout: 5_000 });
    return /version ([^\s(]+)/.exec(stdout)?.[1] ?? stdout.split('\n')[0] ?? null;
  } catch {
    return null;
  }
}

/** The "Linux version x.y.z" banner inside an uncompressed kernel, read as a stream (65 MB, once per build). */
export function kernelVersionIn(file: string): Promise<string | null> {
  return new Promise((resolve) => {
    let tail = '';
    const stream = createReadStream(file, { encoding: 'latin1', highWaterMark: 1 << 20 });
    stream.on('data', (chunk) => {
      const text = tail + (chunk as string);
      const m = /Linux version (\d+\.\d+[^\s]*)/.exec(text);
      if (m) {
        resolve(m[1] ?? null);
        stream.destroy();
      }
      tail = text.slice(-64);
    });
    stream.on('end', () => resolve(null));
    stream.on('error', () => resolve(null));
  });
}

const kernelVersions = new Map<string, Promise<string | null>>();
async function kernelVersion(file: string): Promise<string | null> {
  const info = await stat(file).catch(() => null);
  if (!info) return null;
  const key = `${file}:${info.mtimeMs}:${info.size}`;
  if (!kernelVersions.has(key)) kernelVersions.set(key, kernelVersionIn(file));
  return kernelVersions.get(key)!;
}

async function guestAssets(guestDir: string) {
  const assets = await Promise.all(
    GUEST_ASSET_NAMES.map(async (name) => {
      const info = await stat(path.join(guestDir, name)).catch(() => null);
      return { name, present: info !== null, bytes: info?.size ?? 0, builtAt: info ? info.mtime.toISOString() : null };
    }),
  );
  const stamp = (await readFile(path.join(guestDir, 'stamp'), 'utf8').catch(() => '')).trim();
  return { dir: guestDir, assets, stamp: stamp.slice(0, 12) || null, kernel: await kernelVersion(path.join(guestDir, GUEST_FILES.kernel)) };
}

function networkSupport() {
  const { pluginDirs, confDir } = cniOptionsFromEnv();
  const plugins = CNI_PLUGINS.map((name) => ({ name, found: pluginDirs.some((dir) => existsSync(path.join(dir, name))) }));
  return { cniPluginDirs: pluginDirs, cniConfDir: confDir, plugins, tun: existsSync('/dev/net/tun'), vhostNet: existsSync('/dev/vhost-net') };
}

export async function hostFacts() {
  const runRoot = configFromEnv().runRoot;
  const guestDir = qemuGuestDir();
  const [accel, qemu, guest, memory] = await Promise.all([hostAccelerator({ runRoot }), qemuVersion(), guestAssets(guestDir), hostMemory()]);
  const virtiofs = existsSync(VIRTIOFSD);
  return {
    ...accel,
    // hostAccelerator probes first when nobody has this boot, so the verdict (and its reason) exists by now.
    reason: await acceleratorReason(runRoot),
    qemuVersion: qemu,
    guest,
    sharedFs: { default: virtiofs ? ('virtio-fs' as const) : ('virtio-9p' as const), virtiofsd: virtiofs ? VIRTIOFSD : null, ninep: true },
    network: networkSupport(),
    memory,
  };
}
export type HostFacts = Awaited<ReturnType<typeof hostFacts>>;
