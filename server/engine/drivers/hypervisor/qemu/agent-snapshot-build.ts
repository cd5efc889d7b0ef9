// Builds the agent's V8 snapshot (agent-snapshot.ts) inside a guest booted like a pod (the same
// argv builder: same -cpu, accelerator and assets) with podvisor.snapshot=build: guest/init runs
// `node --build-snapshot`, checks that the agent from the blob serves, copies it to a writable 9p
// share and powers off. The host then appends it to the initramfs as a second cpio archive and
// moves the result into place under its key, info.json last. One VM boot, ~30 s under TCG.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { EngineError } from '../../../errors.js';
import { HypervisorConfigSchema } from '../../../types.js';
import { chooseAccelerator } from './accel.js';
import { INITRD_SNAPSHOT_DIR, readSnapshotInfo, snapshotKey, SNAPSHOTS_DIR, type SnapshotInfo } from './agent-snapshot.js';
import { buildQemuArgs, DEFAULT_MEMORY_MIB, type QemuLaunch } from './args.js';
import { GUEST_FILES } from './guest-assets.js';

const BUILD_TIMEOUT_MS = 600_000; // a loaded TCG host; the build itself takes well under a minute
const SHARE_TAG = 'pvsnapshot'; // guest/init mounts this tag in build mode

export interface SnapshotBuildOptions {
  guestDir: string;
  binary: string;
  /** Where the accelerator verdict is cached (the engine's run root). */
  runRoot: string;
  /** Build again even if a snapshot for the key exists. */
  force?: boolean;
}

/** The build VM: a pod's argv minus the pod's devices, plus the share the blob comes back on. */
function buildLaunch(guestDir: string, work: string, accelerator: QemuLaunch['accelerator']): QemuLaunch {
  return {
    podId: 'agent-snapshot',
    uuid: '00000000-0000-4000-8000-00000000a5a5',
    hostname: 'agent-snapshot',
    config: HypervisorConfigSchema.parse({ kernelParams: [{ key: 'podvisor.snapshot', value: 'build' }] }),
    vcpus: 1,
    memoryMiB: DEFAULT_MEMORY_MIB, // the pods' default: V8 sizes its heap from what it finds
    accelerator,
    kernelPath: join(guestDir, GUEST_FILES.kernel),
    initrdPath: join(guestDir, GUEST_FILES.initrd),
    imagePath: join(guestDir, GUEST_FILES.image),
    hugetlbfsPath: null,
    sockets: { qmp: join(work, 'qmp.sock'), console: join(work, 'console.sock') },
    consoleLog: join(work, 'console.log'),
    devices: [{ kind: 'share', tag: SHARE_TAG, hostPath: join(work, 'out'), readOnly: false, fs: 'virtio-9p' }],
  };
}

/** A newc cpio of the snapshot files, made by cpio(1) from a staging dir (owner root, as the initramfs). */
async function snapshotArchive(stage: string): Promise<Buffer> {
  const names = [INITRD_SNAPSHOT_DIR, ...(await readdir(join(stage, INITRD_SNAPSHOT_DIR))).map((n) => `${INITRD_SNAPSHOT_DIR}/${n}`)];
  const { stdout } = await execa('cpio', ['-o', '-H', 'newc', '--quiet', '-R', '0:0'], { cwd: stage, input: names.join('\n') + '\n', encoding: 'buffer' });
  return Buffer.from(stdout);
}

/** Builds the snapshot for this host's key, unless one is there. Throws EngineError with the guest's last words. */
export async function buildAgentSnapshot(opts: SnapshotBuildOptions): Promise<{ info: SnapshotInfo; built: boolean }> {
  const accelerator = await chooseAccelerator(opts.binary, join(opts.guestDir, GUEST_FILES.kernel), opts.runRoot);
  const { key, inputs } = await snapshotKey(opts.guestDir, opts.binary, accelerator);
  const root = join(opts.guestDir, SNAPSHOTS_DIR);
  const existing = await readSnapshotInfo(join(root, key));
  if (existing && !opts.force) return { info: existing, built: false };
  await mkdir(root, { recursive: true });
  const work = await mkdtemp('/tmp/pv-snap-'); // short: QEMU's sockets live here (107-byte limit)
  const started = Date.now();
  try {
    await mkdir(join(work, 'out'));
    const launch = buildLaunch(opts.guestDir, work, accelerator);
    const qemu = await execa(opts.binary, buildQemuArgs(launch), { reject: false, timeout: BUILD_TIMEOUT_MS, stdin: 'ignore', all: true });
    const out = join(work, 'out');
    const manifest = await readFile(join(out, 'manifest'), 'utf8').catch(() => null);
    if (manifest === null) {
      const lastWords = (await readFile(launch.consoleLog, 'utf8').catch(() => '')).trim().split('\n').slice(-8).join('\n');
      const how = qemu.timedOut ? `did not finish within ${BUILD_TIMEOUT_MS / 1000} s` : `ended (${qemu.exitCode ?? qemu.signal}) without a snapshot`;
      throw new EngineError('HYPERVISOR_FAILED', `agent snapshot build VM ${how}${qemu.all ? `: ${qemu.all.trim()}` : ''}\n${lastWords}`);
    }
    const blob = await readFile(join(out, 'agent.blob'));
    const info = await installSnapshot(root, { key, inputs }, { blob, manifest }, launch.initrdPath, started);
    await pruneOthers(root, key);
    return { info, built: true };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/**
 * Puts a snapshot in place under root/key: the blob, the plain initrd with the snapshot appended
 * (manifest, blob, key), and info.json, the dir renamed into place whole. Also what tests use to
 * plant a snapshot the guest must refuse.
 */
export async function installSnapshot(
  root: string,
  { key, inputs }: { key: string; inputs: Record<string, string> },
  { blob, manifest }: { blob: Buffer; manifest: string },
  plainInitrd: string,
  started = Date.now(),
): Promise<SnapshotInfo> {
  const work = await mkdtemp(join(root, '.build-'));
  try {
    const stage = join(work, 'stage', INITRD_SNAPSHOT_DIR);
    await mkdir(stage, { recursive: true });
    await writeFile(join(stage, 'agent.blob'), blob);
    await writeFile(join(stage, 'manifest'), manifest);
    await writeFile(join(stage, 'key'), `${key}\n`);
    // Linux unpacks concatenated newc archives in order: the plain initramfs, then ours.
    const initrd = Buffer.concat([await readFile(plainInitrd), await snapshotArchive(join(work, 'stage'))]);
    const next = join(work, 'next');
    await mkdir(next);
    await writeFile(join(next, 'agent.blob'), blob);
    await writeFile(join(next, 'initrd.img'), initrd);
    const info: SnapshotInfo = {
      key,
      inputs: { ...inputs, manifest: manifest.trim() },
      blobSha256: createHash('sha256').update(blob).digest('hex'),
      blobBytes: blob.length,
      initrdBytes: initrd.length,
      builtAt: new Date().toISOString(),
      buildMs: Date.now() - started,
    };
    await writeFile(join(next, 'info.json'), JSON.stringify(info, null, 2) + '\n');
    await rm(join(root, key), { recursive: true, force: true });
    await rename(next, join(root, key));
    return info;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** Snapshots of other keys are for a guest build or QEMU that is gone (or another CPU): not kept. */
async function pruneOthers(root: string, key: string): Promise<void> {
  // .build-* dirs may be another build's, in progress.
  for (const name of await readdir(root)) if (name !== key && !name.startsWith('.')) await rm(join(root, name), { recursive: true, force: true });
}
