// The guest agent's V8 startup snapshot (docs/agent-snapshot.md): Node.js deserialises the loaded
// agent instead of parsing and running its 0.5 MB bundle, which under TCG is most of the agent's
// start. V8 refuses a blob from other CPU features (one built on the host exits 14 in the guest),
// so the snapshot is built inside a guest (agent-snapshot-build.ts), once per key: the CPU pods get,
// the QEMU that emulates it and the guest build (its stamp covers node and the agent bundles).
// It reaches pods appended to the initramfs as a second cpio archive: no device, so 9p, virtio-fs
// and templated pods boot it alike. Nothing here fails a boot: any doubt boots the plain bundle.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { agentNodeFlags, type Accelerator } from './args.js';

export const SNAPSHOTS_DIR = 'agent-snapshots';
/** Where the appended archive puts the snapshot in the initramfs (guest/init moves it to /run). */
export const INITRD_SNAPSHOT_DIR = 'agent-snapshot';

/** info.json in a snapshot's dir, written last by the build: without it the dir is not a snapshot. */
export const SnapshotInfoSchema = z.object({
  key: z.string(),
  inputs: z.record(z.string(), z.string()),
  blobSha256: z.string(),
  blobBytes: z.number(),
  initrdBytes: z.number(),
  builtAt: z.string(),
  buildMs: z.number(),
});
export type SnapshotInfo = z.infer<typeof SnapshotInfoSchema>;

export type AgentStart = { initrdPath: string; key: string; note: string } | { initrdPath: null; key: null; note: string };

async function fileStamp(path: string): Promise<string> {
  const s = await stat(path);
  return `${s.size}:${Math.trunc(s.mtimeMs)}`;
}

/** -cpu host is the host's own CPU: its model and flags are part of the key. */
async function hostCpu(): Promise<string> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const lines = cpuinfo.split('\n').filter((l) => /^(model name|flags)\s*:/.test(l)).slice(0, 2);
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
}

/** What a snapshot depends on, in words (info.json keeps them), and the key made of them. */
export async function snapshotKey(guestDir: string, binary: string, accelerator: Accelerator): Promise<{ key: string; inputs: Record<string, string> }> {
  const inputs: Record<string, string> = {
    accelerator,
    cpu: accelerator === 'kvm' ? `host ${await hostCpu()}` : 'max', // args.ts's -cpu
    qemu: `${binary} ${await fileStamp(binary)}`,
    guest: (await readFile(join(guestDir, 'stamp'), 'utf8')).trim(),
    nodeFlags: agentNodeFlags(accelerator).join(' '), // the blob is only good under the flags it was built with
  };
  return { key: createHash('sha256').update(JSON.stringify(inputs)).digest('hex').slice(0, 16), inputs };
}

export async function readSnapshotInfo(dir: string): Promise<SnapshotInfo | null> {
  try {
    return SnapshotInfoSchema.parse(JSON.parse(await readFile(join(dir, 'info.json'), 'utf8')));
  } catch {
    return null;
  }
}

/**
 * The initrd a pod boots with: the snapshot's (the guest assets' initrd with the snapshot appended)
 * when one was built for this key and its files are whole, else the plain one and why.
 * PODVISOR_AGENT_SNAPSHOT=0 turns it off (benchmarks compare both in one run).
 */
export async function chooseAgentStart(guestDir: string, binary: string, accelerator: Accelerator): Promise<AgentStart> {
  if (process.env['PODVISOR_AGENT_SNAPSHOT'] === '0') return { initrdPath: null, key: null, note: 'plain bundle: PODVISOR_AGENT_SNAPSHOT=0' };
  let key: string;
  try {
    key = (await snapshotKey(guestDir, binary, accelerator)).key;
  } catch (err) {
    return { initrdPath: null, key: null, note: `plain bundle: no snapshot key (${err instanceof Error ? err.message : String(err)})` };
  }
  const dir = join(guestDir, SNAPSHOTS_DIR, key);
  const info = await readSnapshotInfo(dir);
  if (!info) return { initrdPath: null, key: null, note: `plain bundle: no agent snapshot ${key} for this CPU and guest build (npm run build:snapshot)` };
  const initrdPath = join(dir, 'initrd.img');
  const size = await stat(initrdPath).then((s) => s.size, () => -1);
  if (info.key !== key || size !== info.initrdBytes) {
    return { initrdPath: null, key: null, note: `plain bundle: agent snapshot ${key} is damaged (initrd ${size} bytes, built ${info.initrdBytes})` };
  }
  return { initrdPath, key, note: `V8 snapshot ${key} (the guest falls back to the plain bundle if it refuses it)` };
}
