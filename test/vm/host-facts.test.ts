// The host panel's facts against this machine (real QEMU probe in a fresh run root): the verdict
// comes with its reason, and what the panel says about QEMU, the guest assets and memory is read
// from the machine, not assumed.
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseAccelerator } from '../../server/engine/drivers/hypervisor/qemu/accel.js';
import { acceleratorReason } from '../../server/engine/index.js';
import { hostFacts, kernelVersionIn } from '../../server/metrics/host-facts.js';

let runRoot: string;
const saved = process.env['PODVISOR_RUN_DIR'];

beforeAll(async () => {
  runRoot = await mkdtemp(join(tmpdir(), 'pv-hostfacts-'));
  process.env['PODVISOR_RUN_DIR'] = runRoot;
});
afterAll(async () => {
  if (saved === undefined) delete process.env['PODVISOR_RUN_DIR'];
  else process.env['PODVISOR_RUN_DIR'] = saved;
  await rm(runRoot, { recursive: true, force: true });
});

describe('host facts', () => {
  it('probes once, keeps the reason with the verdict, and reports what is installed', async () => {
    expect(await acceleratorReason(runRoot)).toBeNull();
    const facts = await hostFacts();
    const cached = JSON.parse(await readFile(join(runRoot, 'accel.json'), 'utf8')) as { accelerator: string; reason: string };
    expect(cached.accelerator).toBe(facts.accelerator);
    expect(facts.reason).toBe(cached.reason);
    expect(facts.reason).toMatch(facts.accelerator === 'kvm' ? /booted .*using KVM$/ : /(KVM probe|no usable \/dev\/kvm).*, using TCG$/);
    expect(facts.qemuVersion).toMatch(/^\d+\.\d+/);
    expect(facts.sharedFs.default).toBe(existsSync('/usr/lib/qemu/virtiofsd') ? 'virtio-fs' : 'virtio-9p');
    expect(facts.network.tun).toBe(existsSync('/dev/net/tun'));
    expect(facts.memory.availableBytes).toBeGreaterThan(0);
    expect(facts.memory.availableBytes).toBeLessThanOrEqual(facts.memory.totalBytes);
    const kernel = facts.guest.assets.find((a) => a.name === 'vmlinux');
    expect(kernel?.present).toBe(true);
    expect(facts.guest.kernel).toMatch(/^\d+\.\d+/);
  });

  it('pods started at once share one verdict: one probe, one accel.json, no temporary file left', async () => {
    // bench/load.ts found it: 20 RunPods in one process each probed and renamed the same temp file.
    const root = await mkdtemp(join(tmpdir(), 'pv-accel-'));
    try {
      const kernel = new URL('../../var/guest/vmlinux', import.meta.url).pathname;
      const verdicts = await Promise.all(Array.from({ length: 20 }, () => chooseAccelerator('/usr/bin/qemu-system-x86_64', kernel, root)));
      expect(new Set(verdicts).size).toBe(1);
      expect(await readdir(root)).toEqual(['accel.json']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('finds no kernel version in a file without the banner', async () => {
    expect(await kernelVersionIn(new URL(import.meta.url).pathname)).toBeNull();
  });
});
