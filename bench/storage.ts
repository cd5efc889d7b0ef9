// The shared filesystem, virtio-fs against 9p against the host itself, in one run: untar of a few
// thousand small files (metadata), sequential write and read of a 64 MiB file, and `find | wc -l`
// over a tree, each timed inside the container (busybox: 10 ms steps) and on the host (the same script), as
// a ratio to the host. Reads and finds go over files the host wrote for that round, so the guest
// meets them cold while the host's page cache is warm: what is measured is the transport.
// Usage: npx tsx bench/storage.ts [rounds]      (boots real pod VMs: needs the guest assets)
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { benchEngine } from './lib/engine.js';
import { median } from './lib/stats.js';

const rounds = Number(process.argv[2] ?? 3);
const SMALL_FILES = 3_000;
const { dir, rootfs, vc } = benchEngine('pv-bench-stor-');

/** small.tar (SMALL_FILES files of 1 KiB in 100 dirs), and per round a 64 MiB file and an unpacked tree. */
async function prepareVolume(vol: string): Promise<void> {
  const src = path.join(dir, 'small-src');
  if (!existsSync(src)) {
    for (let i = 0; i < SMALL_FILES; i++) {
      mkdirSync(path.join(src, `d${i % 100}`), { recursive: true });
      writeFileSync(path.join(src, `d${i % 100}`, `f${i}`), 'x'.repeat(1024));
    }
    await execa('tar', ['cf', path.join(dir, 'small.tar'), '-C', src, '.']);
  }
  mkdirSync(vol, { recursive: true });
  cpSync(path.join(dir, 'small.tar'), path.join(vol, 'small.tar'));
  for (let r = 0; r < rounds; r++) {
    await execa('dd', ['if=/dev/urandom', `of=${path.join(vol, `big${r}.bin`)}`, 'bs=1M', 'count=64', 'status=none']);
    mkdirSync(path.join(vol, `tree${r}`));
    await execa('tar', ['xf', path.join(vol, 'small.tar'), '-C', path.join(vol, `tree${r}`)]);
  }
}

/** One round in directory V; prints "name ms" lines. fsync: the write must reach the host's file. */
const roundScript = (r: number) => `
cd "$V" || exit 1
# busybox date has no %N: the guest falls back to /proc/uptime (10 ms steps), the host keeps ns.
if [ "$(date +%N)" != "%N" ]; then now() { date +%s%N; }
else now() { read -r u _ </proc/uptime; echo $(( \${u%.*}\${u#*.} * 10000000 )); }; fi
ms() { echo $(( ($(now) - $1) / 1000000 )); }
mkdir untar
s=$(now); tar xf small.tar -C untar; echo untar $(ms $s)
s=$(now); dd if=/dev/zero of=w.bin bs=1M count=64 conv=fsync 2>/dev/null; echo write $(ms $s)
s=$(now); dd if=big${r}.bin of=/dev/null bs=1M 2>/dev/null; echo read $(ms $s)
s=$(now); find tree${r} | wc -l >/dev/null; echo find $(ms $s)
rm -rf untar w.bin
`;

const parse = (output: string) => Object.fromEntries(output.trim().split('\n').map((l) => l.split(' ')).map(([k, v]) => [k!, Number(v)]));

async function inPod(id: string, script: string): Promise<Record<string, number>> {
  const { process } = await vc.enterContainer(id, 'c1', { args: ['sh', '-c', script], envs: [{ var: 'V', value: '/vol' }], detach: true });
  const io = await vc.attachProcess(id, 'c1', process.token);
  let out = '';
  io.stdout.on('data', (d: Buffer) => (out += d.toString()));
  io.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const { exitCode } = await io.wait();
  io.close();
  if (exitCode !== 0) throw new Error(`round failed in pod ${id} (exit ${exitCode}): ${out}`);
  return parse(out);
}

const samples: Record<string, Record<string, number[]>> = {};
const record = (who: string, r: Record<string, number>) => {
  for (const [k, v] of Object.entries(r)) ((samples[who] ??= {})[k] ??= []).push(v);
};

try {
  for (const fs of ['virtio-fs', 'virtio-9p', 'host'] as const) {
    const vol = path.join(dir, `vol-${fs}`);
    await prepareVolume(vol);
    if (fs === 'host') {
      for (let r = 0; r < rounds; r++) record(fs, parse((await execa('sh', ['-c', roundScript(r)], { env: { V: vol } })).stdout));
      continue;
    }
    const id = fs === 'virtio-fs' ? 'bvfs' : 'b9p';
    await vc.runPod({
      id, hypervisorType: 'qemu', agentType: 'kata', proxyType: 'kataProxy', shimType: 'kataShim',
      volumes: [{ mountTag: 'vol', hostPath: vol }],
      hypervisorConfig: { sharedFs: fs },
      containers: [{ id: 'c1', rootFs: rootfs, cmd: { args: ['sleep', '3600'], detach: true }, mounts: [{ source: 'vol', destination: '/vol' }] }],
    });
    try {
      const status = await vc.statusPod(id);
      console.log(`pod ${id}: sharedFs ${status.vm?.sharedFs}, accelerator ${status.vm?.accelerator}`);
      for (let r = 0; r < rounds; r++) record(fs, await inPod(id, roundScript(r)));
    } finally {
      await vc.stopPod(id);
      await vc.deletePod(id);
    }
  }
  const ops = ['untar', 'write', 'read', 'find'] as const;
  const what = { untar: `untar ${SMALL_FILES} files`, write: 'write 64 MiB', read: 'read 64 MiB', find: `find over ${SMALL_FILES + 100} entries` };
  console.log(`median of ${rounds} rounds, ms (ratio to the host)`);
  console.log(['operation'.padEnd(26), 'host'.padStart(8), 'virtio-fs'.padStart(18), 'virtio-9p'.padStart(18)].join(''));
  for (const op of ops) {
    const host = median(samples['host']![op]!);
    const cell = (fs: string) => { const m = median(samples[fs]![op]!); return `${m} (${(m / Math.max(host, 1)).toFixed(1)}x)`.padStart(18); };
    console.log([what[op].padEnd(26), String(host).padStart(8), cell('virtio-fs'), cell('virtio-9p')].join(''));
  }
} finally {
  await vc.close();
  rmSync(dir, { recursive: true, force: true });
}
