// VM templating on real VMs (docs/templating.md): two pods cloned from one template run containers
// with their own identity (hostname, boot id, random bytes, the host's clock); a clone's memory
// writes reach neither the template's RAM file nor the other clone; a template in use cannot be
// removed, deleting a clone keeps it; a damaged saved state makes the next pod boot cold and say
// why; nothing is left after the pods and the template are gone. One template build, two clones and
// one cold boot in all: CI time matters.
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QmpConnection } from '../../server/engine/drivers/hypervisor/qemu/qmp.js';
import { runDirFor } from '../../server/engine/index.js';
import { testEngine, type TestEngine } from '../helpers/engine.js';
import { collect, processesMentioning, qemuPod, rootfsCopy } from '../helpers/vm.js';

let t: TestEngine;
const rootfs = [rootfsCopy(), rootfsCopy(), rootfsCopy()];
const forever = ['sh', '-c', 'while true; do sleep 1; done'];
const templatesDir = () => path.join(t.dir, 'run-templates');
const runDir = (pod: string) => runDirFor(path.join(t.dir, 'run'), pod);
/** 9p: QEMU 7.2 cannot migrate vhost-user-fs, so virtio-fs pods boot cold (templates/boot.ts). */
const clonable = (id: string, r: string) => qemuPod(id, [{ id: 'c', rootFs: r, cmd: { args: forever, detach: true } }], { hypervisorConfig: { sharedFs: 'virtio-9p' } });

async function sh(pod: string, script: string) {
  const { process } = await t.vc.enterContainer(pod, 'c', { args: ['sh', '-c', script], detach: true });
  return collect(await t.vc.attachProcess(pod, 'c', process.token));
}

/** The guest's whole RAM as the VM sees it now (QMP pmemsave), to look for what a guest wrote. */
async function guestRam(pod: string): Promise<Buffer> {
  const file = path.join(t.dir, `${pod}.ram`);
  const qmp = await QmpConnection.open(path.join(runDir(pod), 'qmp.sock'), 5_000);
  try {
    await qmp.execute('pmemsave', { val: 0, size: 256 * 2 ** 20, filename: file });
  } finally {
    qmp.close();
  }
  const ram = readFileSync(file);
  rmSync(file);
  return ram;
}

beforeAll(async () => {
  t = testEngine({ lockWaitMs: 120_000, hostPathRoots: rootfs.map((r) => path.dirname(r)) });
  await t.vc.runPod(clonable('one', rootfs[0]!)); // builds the template, then clones it
  await t.vc.runPod(clonable('two', rootfs[1]!));
}, 300_000);

afterAll(async () => {
  for (const id of ['one', 'two', 'three']) {
    await t.vc.stopPod(id).catch(() => {});
    await t.vc.deletePod(id).catch(() => {});
  }
  for (const tpl of await t.vc.listTemplates().catch(() => [])) await t.vc.removeTemplate(tpl.key).catch(() => {});
  await t[Symbol.asyncDispose]();
  for (const r of rootfs) rmSync(path.dirname(r), { recursive: true, force: true });
}, 120_000);

describe('pods cloned from a template', () => {
  it('are clones of one template, and say so', async () => {
    const [one, two] = [(await t.vc.statusPod('one')).vm?.boot, (await t.vc.statusPod('two')).vm?.boot];
    expect(one).toMatchObject({ mode: 'cloned', reason: null });
    expect(two).toMatchObject({ mode: 'cloned', template: one!.template });
    expect(two!.stages.map((s) => s.name)).toEqual(['spawn', 'qmp', 'restore', 'resume']);
    const templates = await t.vc.listTemplates();
    expect(templates).toHaveLength(1);
    expect(templates[0]).toMatchObject({ key: one!.template, clones: 2 });
  });

  it('run containers: exec works and exit codes are right', async () => {
    expect(await sh('one', 'echo out; echo err >&2; exit 7')).toEqual({ output: 'out\nerr\n', exitCode: 7 });
    expect(await sh('two', 'true')).toEqual({ output: '', exitCode: 0 });
  });

  it("start from a warmed-up template that left nothing of its warm-up: no container, the pod's own loopback", async () => {
    // The template ran a container and an exec before it was saved (kata-warmup.ts), and says so.
    expect((await t.vc.listTemplates())[0]!.warmUpMs).toBeGreaterThan(0);
    // The guest agent knows only the pod's own container (its warm-up container was removed).
    for (const pod of ['one', 'two']) expect((await t.vc.podGuestStats(pod)).containers.map((c) => c.containerId)).toEqual(['c']);
    // The warm-up's sandbox brought the loopback up; the clone's sandbox found it up (IFF_UP) and
    // skipped `ip`: it must still be up, and it carries traffic.
    const overLoopback = 'echo reached > /tmp/i.html; httpd -f -p 127.0.0.1:8081 -h /tmp & p=$!; ' +
      'for i in $(seq 40); do wget -q -O - http://127.0.0.1:8081/i.html 2>/dev/null && break; sleep 0.5; done; kill $p';
    expect(await sh('two', `cat /sys/class/net/lo/flags; ${overLoopback}`)).toEqual({ output: '0x9\nreached\n', exitCode: 0 });
  });

  it('have their own hostname, boot id and random bytes, and the host clock within 2 s', async () => {
    const identity = async (pod: string) => {
      const before = Date.now() / 1000;
      const { output } = await sh(pod, 'hostname; cat /proc/sys/kernel/random/boot_id; od -An -tx1 -N16 /dev/urandom | tr -d " \\n"; echo; date +%s');
      const after = Date.now() / 1000;
      const [hostname, bootId, random, clock] = output.trim().split('\n');
      return { hostname, bootId, random, clock: Number(clock), before, after };
    };
    const [one, two] = [await identity('one'), await identity('two')];
    expect([one.hostname, two.hostname]).toEqual(['one', 'two']);
    expect(one.bootId).toMatch(/^[0-9a-f-]{36}$/);
    expect(one.bootId).not.toBe(two.bootId);
    expect(one.random).toMatch(/^[0-9a-f]{32}$/);
    expect(one.random).not.toBe(two.random);
    for (const c of [one, two]) {
      expect(c.clock).toBeGreaterThanOrEqual(Math.floor(c.before) - 2);
      expect(c.clock).toBeLessThanOrEqual(Math.ceil(c.after) + 2);
    }
  });

  it("keep a clone's memory writes to itself: not in the template's RAM file, not in the other clone", async () => {
    // Built in the guest so that the marker's text only ever exists in pod one's memory.
    await sh('one', 'a=podvisor-clone; b=marker-$((6*7))-one; printf "%s-%s\\n" $a $b > /dev/shm/mark; cat /dev/shm/mark >/dev/null');
    const marker = Buffer.from('podvisor-clone-marker-42-one');
    expect((await guestRam('one')).includes(marker)).toBe(true); // the search finds what is there
    expect((await guestRam('two')).includes(marker)).toBe(false);
    const key = (await t.vc.listTemplates())[0]!.key;
    expect(readFileSync(path.join(templatesDir(), key, 'ram')).includes(marker)).toBe(false);
  });

  it('refuse to remove a template in use; deleting a clone keeps the template', async () => {
    const key = (await t.vc.listTemplates())[0]!.key;
    await expect(t.vc.removeTemplate(key)).rejects.toMatchObject({ code: 'INVALID_STATE', message: expect.stringContaining('in use by 2 clone') });
    await t.vc.stopPod('one');
    await t.vc.deletePod('one');
    expect(await t.vc.listTemplates()).toMatchObject([{ key, clones: 1 }]);
    expect(await sh('two', 'echo still')).toEqual({ output: 'still\n', exitCode: 0 });
  });

  it('fall back to a cold boot when the saved state is damaged, and say why', async () => {
    const key = (await t.vc.listTemplates())[0]!.key;
    writeFileSync(path.join(templatesDir(), key, 'state'), 'not a migration stream');
    await t.vc.runPod(clonable('three', rootfs[2]!));
    const boot = (await t.vc.statusPod('three')).vm?.boot;
    expect(boot).toMatchObject({ mode: 'cold', template: null, reason: expect.stringContaining(`clone failed: cloning template ${key} failed`) });
    const timeline = (await t.vc.listPodEvents('three')).map((e) => e.message);
    expect(timeline.some((m) => m.includes(`VM cold-booted (clone failed: cloning template ${key} failed`))).toBe(true);
    expect(await sh('three', 'exit 3')).toEqual({ output: '', exitCode: 3 });
  }, 240_000);

  it('leave nothing behind once the pods and the template are gone', async () => {
    const key = (await t.vc.listTemplates())[0]!.key;
    for (const id of ['two', 'three']) {
      await t.vc.stopPod(id);
      await t.vc.deletePod(id);
    }
    await t.vc.removeTemplate(key);
    expect(await t.vc.listTemplates()).toEqual([]);
    expect(readdirSync(templatesDir()).filter((e) => !e.startsWith('.'))).toEqual([]);
    expect(await processesMentioning(templatesDir())).toEqual([]);
    for (const id of ['one', 'two', 'three']) expect(existsSync(runDir(id))).toBe(false);
  });
});
