// The price of a VM under real clients: `podman run … true` end to end with podvisor-oci against
// the same with runc (a container without a VM), and `ctr run … true` with the podvisor shim
// against runc's io.containerd.runc.v2, interleaved in the same run, as medians and ratios. Sets
// up its own podman storage and containerd (as test/vm/podman.test.ts and containerd.test.ts do)
// and removes them. Run it under the shared VM lock:
//   flock /tmp/pv-vm.lock npx tsx bench/clients.ts [--iterations 3]
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { median } from './lib/stats.js';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '3' } } });
const iterations = Number(values.iterations);
const REPO = new URL('..', import.meta.url).pathname;
const tmp = mkdtempSync('/tmp/pvb-');
const at = (...p: string[]) => path.join(tmp, ...p);
const image = 'localhost/pvbb:1';
const env = { PODVISOR_HOME: at('home'), PODVISOR_RUN_DIR: at('r'), PODVISOR_SHIM_SOCKET_DIR: at('s') };

const podman = (...a: string[]) =>
  execa('podman', ['--root', at('ps'), '--runroot', at('pr'), '--storage-driver', 'overlay', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', ...a], { env: { CONTAINERS_CONF: at('containers.conf') } });
const ctr = (...a: string[]) => execa('ctr', ['-a', at('c.sock'), '-n', 'bench', ...a]);
const limits = ['--ulimit', 'nofile=20000:20000', '--ulimit', 'nproc=32768:32768'];

async function timeMs(run: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await run();
  return performance.now() - start;
}

const containerd = await (async () => {
  writeFileSync(at('containers.conf'), '[containers]\nnetns = "none"\n[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n');
  symlinkSync(path.join(REPO, 'bin/podvisor-oci.js'), at('podvisor-oci'));
  writeFileSync(at('podvisor-oci.env'), `PODVISOR_HOME=${env.PODVISOR_HOME}\nPODVISOR_RUN_DIR=${env.PODVISOR_RUN_DIR}\nPODVISOR_OCI_ROOT=${at('oci')}\nPODVISOR_HOST_PATH_ROOTS=${at('ps')}:${at('pr')}\n`);
  await execa('tar', ['-C', path.join(REPO, 'var/rootfs/busybox'), '-cf', at('rootfs.tar'), '.']);
  await podman('import', '--change', 'ENV PATH=/bin:/sbin', at('rootfs.tar'), image);
  await podman('save', '-o', at('image.tar'), image);
  mkdirSync(at('bin'));
  mkdirSync(env.PODVISOR_SHIM_SOCKET_DIR);
  symlinkSync(path.join(REPO, 'bin/containerd-shim-podvisor-v2'), at('bin', 'containerd-shim-podvisor-v2'));
  writeFileSync(at('config.toml'), `version = 2\nroot = "${at('root')}"\nstate = "${at('state')}"\ndisabled_plugins = ["io.containerd.grpc.v1.cri"]\n[grpc]\n  address = "${at('c.sock')}"\n[ttrpc]\n  address = "${at('c.sock.ttrpc')}"\n`);
  const child = spawn('containerd', ['--config', at('config.toml')], {
    env: { ...process.env, ...env, PODVISOR_HOST_PATH_ROOTS: `${at('state')}:${at('root')}`, PATH: `${at('bin')}:${process.env['PATH']}` },
    stdio: 'ignore',
  });
  while ((await ctr('version').catch(() => null)) === null) await delay(100);
  await ctr('image', 'import', '--base-name', 'localhost/pvbb', at('image.tar'));
  return child;
})();

let n = 0;
const cases = [
  { label: 'podman run true (runc)', run: () => podman('run', '--rm', '--network=none', ...limits, '--runtime', 'runc', image, 'true') },
  { label: 'podman run true (podvisor-oci)', run: () => podman('run', '--rm', '--network=none', ...limits, '--runtime', at('podvisor-oci'), image, 'true') },
  { label: 'ctr run true (runc.v2)', run: () => ctr('run', '--rm', '--runtime', 'io.containerd.runc.v2', image, `b${n++}`, 'true') },
  { label: 'ctr run true (podvisor.v2)', run: () => ctr('run', '--rm', '--runtime', 'io.containerd.podvisor.v2', image, `b${n++}`, 'true') },
];

try {
  for (const c of cases) await c.run(); // warm: page cache, tsx's cache, the store's migrations
  const samples = cases.map(() => [] as number[]);
  for (let i = 0; i < iterations; i++) for (const [j, c] of cases.entries()) samples[j]!.push(await timeMs(c.run));
  for (const [j, c] of cases.entries()) {
    const m = median(samples[j]!);
    const base = median(samples[j - (j % 2)]!); // each client's runc case
    console.log(`${c.label.padEnd(32)} median ${(m / 1000).toFixed(2).padStart(6)} s   ${(m / base).toFixed(1).padStart(5)}× runc`);
  }
} finally {
  const exited = new Promise((resolve) => containerd.once('exit', resolve));
  containerd.kill('SIGTERM');
  await exited;
  await podman('rmi', '-a', '-f').catch(() => undefined);
  rmSync(tmp, { recursive: true, force: true });
}
