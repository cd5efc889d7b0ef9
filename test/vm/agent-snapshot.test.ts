// The agent's V8 startup snapshot on real VMs (docs/agent-snapshot.md): built inside a guest, a cold
// pod's agent starts from it; a snapshot the guest refuses (a blob V8 cannot load) or one built for
// another guest still boots, on the plain bundle, and the boot log says why.
import { mkdir, mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAgentSnapshot, installSnapshot } from '../../server/engine/drivers/hypervisor/qemu/agent-snapshot-build.js';
import { snapshotKey, SNAPSHOTS_DIR, type SnapshotInfo } from '../../server/engine/drivers/hypervisor/qemu/agent-snapshot.js';
import { createQemuHypervisor } from '../../server/engine/drivers/hypervisor/qemu/index.js';
import type { PodContext } from '../../server/engine/drivers/types.js';
import { PodConfigSchema } from '../../server/engine/types.js';
import { kataLaunchPlan } from '../../server/guest/testing/launch-plan.js';

const repo = new URL('../..', import.meta.url).pathname;
const assets = join(repo, 'var', 'guest');
const QEMU = '/usr/bin/qemu-system-x86_64';
let runRoot: string;
let info: SnapshotInfo;

async function bootUntilServing(id: string): Promise<{ log: string; agent: string | null | undefined }> {
  const config = PodConfigSchema.parse({ id, hypervisorType: 'qemu' });
  const pod: PodContext = { id, config, runDir: join(runRoot, id), runtime: { hypervisor: {}, agent: {}, network: {} }, log: pino({ level: 'silent' }) };
  const hypervisor = createQemuHypervisor({ runRoot });
  pod.runtime.hypervisor = (await hypervisor.startVm(pod, kataLaunchPlan(pod.runDir))).state;
  try {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const log = await readFile(join(pod.runDir, 'console.log'), 'utf8').catch(() => '');
      if (log.includes('podvisor-agent: version')) return { log, agent: hypervisor.info(pod)?.boot?.agent };
      if (Date.now() > deadline) throw new Error(`the agent never served:\n${log.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await hypervisor.stopVm(pod);
  }
}

/** A guest dir with the real assets and a planted snapshot for this host's key. */
async function plantedGuestDir(snapshot: { blob: Buffer; manifest: string }): Promise<string> {
  const dir = await mkdtemp(join(runRoot, 'guest-'));
  for (const file of ['vmlinux', 'initrd.img', 'image.erofs', 'stamp']) await symlink(join(assets, file), join(dir, file));
  await mkdir(join(dir, SNAPSHOTS_DIR));
  await installSnapshot(join(dir, SNAPSHOTS_DIR), await snapshotKey(dir, QEMU, info.inputs['accelerator'] as 'kvm' | 'tcg'), snapshot, join(assets, 'initrd.img'));
  return dir;
}

beforeAll(async () => {
  await execa('bash', [join(repo, 'guest/build-assets.sh')]);
  runRoot = await mkdtemp('/tmp/pvs-');
  info = (await buildAgentSnapshot({ guestDir: assets, binary: QEMU, runRoot })).info; // a no-op once built
}, 900_000);

afterAll(async () => {
  delete process.env['PODVISOR_GUEST_DIR'];
  await rm(runRoot, { recursive: true, force: true });
});

describe('the agent snapshot', () => {
  it("starts a cold pod's agent from the snapshot, and pod status says which", async () => {
    const { log, agent } = await bootUntilServing('snap1');
    expect(agent).toBe(`V8 snapshot ${info.key} (the guest falls back to the plain bundle if it refuses it)`);
    expect(log).toContain(`podvisor-init: agent from V8 snapshot ${info.key}`);
    expect(log).toMatch(/podvisor-agent: version \S+ serving on/);
  }, 180_000);

  it('boots the plain bundle when V8 refuses the blob, and the boot log says so', async () => {
    process.env['PODVISOR_GUEST_DIR'] = await plantedGuestDir({ blob: Buffer.alloc(4096, 0x5a), manifest: `${info.inputs['manifest']}\n` });
    const { log } = await bootUntilServing('snap2');
    expect(log).toMatch(/agent snapshot refused \(status \d+\): starting the plain bundle/);
    expect(log).toMatch(/podvisor-agent: version \S+ serving on/);
  }, 180_000);

  it('boots the plain bundle when the snapshot was built for another agent or CPU, and says so', async () => {
    process.env['PODVISOR_GUEST_DIR'] = await plantedGuestDir({ blob: Buffer.alloc(16), manifest: 'bundle=0000000000000000 cpu=0\n' });
    const { log } = await bootUntilServing('snap3');
    expect(log).toMatch(/agent snapshot does not fit this guest \(bundle=0000000000000000 cpu=0, here bundle=\w+ cpu=\w+\): starting the plain bundle/);
    expect(log).toMatch(/podvisor-agent: version \S+ serving on/);
  }, 180_000);
});
