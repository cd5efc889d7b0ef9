// Which initrd a pod boots with (qemu/agent-snapshot.ts): the agent snapshot's when one for this
// host's key is whole, else the plain one and why. On a temp guest dir; no VM.
import { mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installSnapshot } from '../../server/engine/drivers/hypervisor/qemu/agent-snapshot-build.js';
import { chooseAgentStart, snapshotKey, SNAPSHOTS_DIR } from '../../server/engine/drivers/hypervisor/qemu/agent-snapshot.js';

let guest: string;
const binary = process.execPath; // any file: the key takes its size and mtime
const plain = Buffer.from('070701 plain initramfs');

beforeEach(async () => {
  guest = await mkdtemp('/tmp/pv-snapunit-');
  await writeFile(join(guest, 'stamp'), 'guest-build-1\n');
  await writeFile(join(guest, 'initrd.img'), plain);
  await mkdir(join(guest, SNAPSHOTS_DIR));
});
afterEach(async () => {
  delete process.env['PODVISOR_AGENT_SNAPSHOT'];
  await rm(guest, { recursive: true, force: true });
});

async function plant(): Promise<string> {
  const key = await snapshotKey(guest, binary, 'tcg');
  await installSnapshot(join(guest, SNAPSHOTS_DIR), key, { blob: Buffer.from('blob'), manifest: 'bundle=b cpu=c\n' }, join(guest, 'initrd.img'));
  return key.key;
}

describe('chooseAgentStart', () => {
  it('boots the plain initrd while no snapshot was built for the key, and says how to build one', async () => {
    const start = await chooseAgentStart(guest, binary, 'tcg');
    expect(start.initrdPath).toBeNull();
    expect(start.note).toMatch(/no agent snapshot \w+ .*npm run build:snapshot/);
  });

  it("boots the snapshot's initrd: the plain one with a second cpio archive holding the manifest, blob and key", async () => {
    const key = await plant();
    const start = await chooseAgentStart(guest, binary, 'tcg');
    expect(start).toMatchObject({ key, initrdPath: join(guest, SNAPSHOTS_DIR, key, 'initrd.img') });
    const initrd = await readFile(start.initrdPath!);
    expect(initrd.subarray(0, plain.length)).toEqual(plain);
    const archive = initrd.subarray(plain.length).toString('latin1');
    for (const name of ['agent-snapshot/manifest', 'agent-snapshot/agent.blob', 'agent-snapshot/key', 'TRAILER!!!']) expect(archive).toContain(name);
  });

  it('keys by the guest build and the accelerator: another stamp or KVM finds no snapshot', async () => {
    await plant();
    expect((await chooseAgentStart(guest, binary, 'kvm')).initrdPath).toBeNull();
    await writeFile(join(guest, 'stamp'), 'guest-build-2\n');
    expect((await chooseAgentStart(guest, binary, 'tcg')).note).toMatch(/no agent snapshot/);
  });

  it('refuses a damaged snapshot (initrd not the size it was built at) and turns off with PODVISOR_AGENT_SNAPSHOT=0', async () => {
    const key = await plant();
    process.env['PODVISOR_AGENT_SNAPSHOT'] = '0';
    expect(await chooseAgentStart(guest, binary, 'tcg')).toMatchObject({ initrdPath: null, note: 'plain bundle: PODVISOR_AGENT_SNAPSHOT=0' });
    delete process.env['PODVISOR_AGENT_SNAPSHOT'];
    await truncate(join(guest, SNAPSHOTS_DIR, key, 'initrd.img'), 10);
    expect(await chooseAgentStart(guest, binary, 'tcg')).toMatchObject({ initrdPath: null, note: expect.stringMatching(/damaged/) });
  });

  it('has no snapshot without a guest build (no stamp), and says so', async () => {
    await rm(join(guest, 'stamp'));
    expect((await chooseAgentStart(guest, binary, 'tcg')).note).toMatch(/plain bundle: no snapshot key/);
  });
});
