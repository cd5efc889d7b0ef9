// podman driving Podvisor through podvisor-oci, as an unmodified client: podman with its own
// storage, run and config under a temp dir, conmon and podman's cleanup process calling our
// runtime (a symlink to bin/podvisor-oci.js with its settings file beside it: podman passes no
// environment to a runtime), a busybox image imported from a tarball of the busybox-static rootfs.
// Each podman container is a real QEMU pod, seen by `podvisor pod list`; afterwards no QEMU,
// relay, conmon, mount or run dir of ours is left. One test puts a container on a CNI bridge
// network of its own (10.213.14.0/24, configs in the temp dir) and fetches a page from the VM.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostNetworkSnapshot } from '../helpers/network.js';
import { processesMentioning } from '../helpers/vm.js';

const REPO = path.resolve(import.meta.dirname, '../..');
// Short: a 64-hex pod ID and a socket name must fit in 107 bytes below the run dir.
const tmp = mkdtempSync('/tmp/pvp-');
const runDir = path.join(tmp, 'r');
const home = path.join(tmp, 'home');
const storage = path.join(tmp, 'storage');
const runroot = path.join(tmp, 'runroot');
const runtime = path.join(tmp, 'podvisor-oci');
const image = 'localhost/pvbb:1';
const limits = ['--ulimit', 'nofile=20000:20000', '--ulimit', 'nproc=32768:32768'];
// The CNI test's network: its configs in a dir of ours (never /etc/cni/net.d), a subnet of its own.
const cniDir = path.join(tmp, 'cni');
const netName = `pvt14-${process.pid}`;
const subnet = '10.213.14.0/24';

const podmanArgs = (args: string[]) => ['--root', storage, '--runroot', runroot, '--storage-driver', 'overlay', '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', '--runtime', runtime, ...args];
const podmanOptions = { env: { CONTAINERS_CONF: path.join(tmp, 'containers.conf') }, reject: false, timeout: 240_000 } as const;
const podman = (...args: string[]) => execa('podman', podmanArgs(args), podmanOptions);
const shellWords = (words: string[]) => words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
/** With `input` on podman's stdin, a pipe closed after it. */
const podmanFed = (input: string, ...args: string[]) => execa('podman', podmanArgs(args), { ...podmanOptions, input });
const podvisor = (...args: string[]) => execa('node', [path.join(REPO, 'bin/podvisor.js'), ...args], { env: { PODVISOR_HOME: home, PODVISOR_RUN_DIR: runDir }, reject: false });
const podIds = async () => (JSON.parse((await podvisor('pod', 'list', '--json')).stdout) as { id: string }[]).map((p) => p.id);
const mountsOfOurs = () => readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(tmp));

async function expectNothingLeft(): Promise<void> {
  expect(await processesMentioning(tmp)).toEqual([]);
  expect(mountsOfOurs()).toEqual([]);
  // accel.json: the qemu driver's cache of the host's accelerator verdict, not a pod's.
  expect((existsSync(runDir) ? readdirSync(runDir) : []).filter((n) => n !== 'accel.json')).toEqual([]);
  expect(readdirSync(path.join(tmp, 'oci'))).toEqual([]);
  expect(await podIds()).toEqual([]);
}

beforeAll(async () => {
  writeFileSync(
    path.join(tmp, 'containers.conf'),
    `[containers]\nnetns = "none"\n[network]\nnetwork_backend = "cni"\nnetwork_config_dir = "${cniDir}"\n[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\nruntime = "runc"\n`,
  );
  mkdirSync(cniDir);
  symlinkSync(path.join(REPO, 'bin/podvisor-oci.js'), runtime);
  writeFileSync(
    `${runtime}.env`,
    [`PODVISOR_HOME=${home}`, `PODVISOR_RUN_DIR=${runDir}`, `PODVISOR_OCI_ROOT=${path.join(tmp, 'oci')}`, `PODVISOR_HOST_PATH_ROOTS=${storage}:${runroot}:/run/netns`, ''].join('\n'),
  );
  // The image: a tarball of the busybox-static rootfs (npm run build:rootfs), imported.
  const tarball = path.join(tmp, 'busybox.tar');
  await execa('tar', ['-C', path.join(REPO, 'var/rootfs/busybox'), '-cf', tarball, '.']);
  const imported = await podman('import', '--change', 'ENV PATH=/bin:/sbin', tarball, image);
  expect(imported.exitCode, imported.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await podman('rm', '-a', '-f', '-t', '0');
  await podman('rmi', '-a', '-f');
  await podman('network', 'rm', '-f', netName);
  // host-local's lease dir for the network: podman leaves it (a lock file) after `network rm`.
  rmSync(path.join('/var/lib/cni/networks', netName), { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
}, 240_000);

describe('podman --runtime podvisor-oci on real QEMU pods', () => {
  it('runs a container to its end: output, exit code 3 through run and wait, logs, rm', async () => {
    const run = await podman('run', '--name', 'c0', '--network=none', ...limits, image, 'sh', '-c', 'echo hello; exit 3');
    expect([run.stdout, run.exitCode], run.stderr).toEqual(['hello', 3]);
    const wait = await podman('wait', 'c0');
    expect(wait.stdout, wait.stderr).toBe('3');
    expect((await podman('logs', 'c0')).stdout).toBe('hello');
    expect((await podman('inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', 'c0')).stdout).toBe('exited 3');
    // podman deletes the runtime's container once it has exited (its own record stays): the VM goes then.
    expect((await podman('rm', 'c0')).exitCode).toBe(0);
    await expectNothingLeft();
  }, 300_000);

  it('runs a container on a terminal: run -t --rm, its output and exit code, nothing left', async () => {
    const run = await podman('run', '-t', '--rm', '--network=none', ...limits, image, 'sh', '-c', 'tty; echo hello; exit 3');
    expect([run.stdout.split(/\r?\n/), run.exitCode], run.stderr).toEqual([[expect.stringMatching(/^\/dev\/pts\/\d+$/), 'hello'], 3]);
    await expectNothingLeft();
  }, 300_000);

  it('runs a detached container: exec (-t, -it too), logs, pause/unpause, stop, rm; its PID is a child of conmon', async () => {
    const run = await podman('run', '-d', '--name', 'c1', '--network=none', ...limits, image, 'sh', '-c', 'echo started; while true; do sleep 1; done');
    expect(run.exitCode, run.stderr).toBe(0);
    const id = run.stdout.trim();
    expect(await podIds()).toEqual([id]);
    const status = JSON.parse((await podvisor('pod', 'status', id, '--json')).stdout);
    expect(status).toMatchObject({ state: 'running', hypervisor: 'qemu', agent: 'kata' });

    // The pid-file's PID: a host process, child of conmon (its subreaper), standing for the init.
    const [pid, conmonPid] = (await podman('inspect', '--format', '{{.State.Pid}} {{.State.ConmonPid}}', 'c1')).stdout.split(' ').map(Number);
    const ppid = Number(/^PPid:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
    expect(ppid).toBe(conmonPid);

    const exec = await podman('exec', 'c1', 'echo', 'exec-out');
    expect([exec.stdout, exec.exitCode], exec.stderr).toEqual(['exec-out', 0]);
    expect((await podman('exec', 'c1', 'sh', '-c', 'exit 7')).exitCode).toBe(7);
    // A terminal: the guest's pty, relayed onto the pty whose master went over conmon's console
    // socket. `tty` names the guest's; a client that is no terminal itself gives no size, so the
    // guest's pty keeps its 24x80.
    const tty = await podman('exec', '-t', 'c1', 'sh', '-c', 'tty; stty size; exit 5');
    expect([tty.stdout.split(/\r?\n/), tty.exitCode], tty.stderr).toEqual([[expect.stringMatching(/^\/dev\/pts\/\d+$/), '24 80'], 5]);
    // podman on a 30x100 terminal (script(1) gives it one) sets that size on conmon's pty, which is
    // the relay's; the relay passes it on. It may land just after the process started (the guest
    // starts it at 24x80), so the process waits for it, 5 s at most.
    const waitForSize = 'i=0; while [ "$(stty size)" = "24 80" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done; stty size';
    const inScript = `stty rows 30 cols 100; ${shellWords(['podman', ...podmanArgs(['exec', '-t', 'c1', 'sh', '-c', waitForSize])])}`;
    const sized = await execa('script', ['-qec', inScript, '/dev/null'], { ...podmanOptions, input: '' });
    expect([sized.stdout.split(/\r?\n/).at(-1), sized.exitCode], sized.stderr).toEqual(['30 100', 0]);
    // -it from a pipe: the line reaches the process through both ptys (the guest's echoes it).
    const fed = await podmanFed('hi\n', 'exec', '-i', '-t', 'c1', 'sh', '-c', 'read l; echo "got $l"; exit 4');
    expect([fed.stdout.split(/\r?\n/), fed.exitCode], fed.stderr).toEqual([['hi', 'got hi'], 4]);
    expect((await podman('logs', 'c1')).stdout).toBe('started');

    expect((await podman('pause', 'c1')).exitCode).toBe(0);
    expect((await podman('inspect', '--format', '{{.State.Status}}', 'c1')).stdout).toBe('paused');
    expect(JSON.parse((await podvisor('pod', 'status', id, '--json')).stdout).state).toBe('paused');
    expect((await podman('unpause', 'c1')).exitCode).toBe(0);
    expect((await podman('inspect', '--format', '{{.State.Status}}', 'c1')).stdout).toBe('running');
    expect((await podman('exec', 'c1', 'echo', 'after')).stdout).toBe('after');

    // sh as PID 1 ignores SIGTERM, as under runc: podman sends SIGKILL after -t.
    const stop = await podman('stop', '-t', '2', 'c1');
    expect(stop.exitCode, stop.stderr).toBe(0);
    expect((await podman('inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', 'c1')).stdout).toBe('exited 137');
    expect(existsSync(`/proc/${pid}`)).toBe(false);
    expect((await podman('rm', 'c1')).exitCode).toBe(0);
    await expectNothingLeft();
  }, 300_000);
  it('serves on a CNI bridge network: the netns podman made is the VM\'s (CNM), reached from the host at its address', async () => {
    const before = await hostNetworkSnapshot();
    const made = await podman('network', 'create', '--subnet', subnet, netName);
    expect(made.exitCode, made.stderr).toBe(0);
    const bridge = (await podman('network', 'inspect', '--format', '{{.NetworkInterface}}', netName)).stdout;
    expect(bridge).toMatch(/^cni-podman\d+$/);
    const page = `podvisor-${process.pid}`;
    const serve = `mkdir /www && echo ${page} > /www/index.html && exec busybox httpd -f -p 80 -h /www`;
    const run = await podman('run', '-d', '--name', 'web', '--network', netName, ...limits, image, 'sh', '-c', serve);
    expect(run.exitCode, run.stderr).toBe(0);
    const [address, netns] = (await podman('inspect', '--format', `{{(index .NetworkSettings.Networks "${netName}").IPAddress}} {{.NetworkSettings.SandboxKey}}`, 'web')).stdout.split(' ');
    expect(address).toMatch(/^10\.213\.14\.\d+$/);
    const status = JSON.parse((await podvisor('pod', 'status', run.stdout.trim(), '--json')).stdout);
    expect(status).toMatchObject({ state: 'running', network: { model: 'CNM', netNsPath: netns, netNsCreated: false, interfaces: [{ name: 'eth0', addresses: [`${address}/24`] }] } });

    // The guest has the address CNI gave the netns: the VM's NIC took over eth0's MAC and addresses.
    const addr = await podman('exec', 'web', 'ip', '-4', 'addr', 'show');
    expect(addr.stdout, addr.stderr).toContain(`inet ${address}/24`);
    // httpd listens once its exec ran; waiting for that inside the guest, bounded (5 s).
    const listening = await podman('exec', 'web', 'sh', '-c', 'i=0; until netstat -ltn | grep -q ":80 "; do [ $i -lt 50 ] || exit 1; sleep 0.1; i=$((i+1)); done');
    expect(listening.exitCode, listening.stderr).toBe(0);
    const res = await fetch(`http://${address}/`, { signal: AbortSignal.timeout(10_000) });
    expect([res.status, (await res.text()).trim()]).toEqual([200, page]);

    expect((await podman('stop', '-t', '2', 'web')).exitCode).toBe(0);
    expect((await podman('rm', 'web')).exitCode).toBe(0);
    expect((await podman('network', 'rm', netName)).exitCode).toBe(0);
    await expectNothingLeft();
    expect(existsSync(netns!)).toBe(false);
    expect((await execa('ip', ['link', 'show', 'dev', bridge], { reject: false })).exitCode).not.toBe(0);
    // No link of the host was left pointing into the netns (a veth end, a macvtap), no rule for the subnet.
    expect((await execa('ip', ['-o', 'link'])).stdout.split('\n').filter((l) => l.includes(path.basename(netns!)))).toEqual([]);
    expect((await execa('iptables-save')).stdout.split('\n').filter((l) => l.includes('10.213.14.'))).toEqual([]);
    const leases = readdirSync(path.join('/var/lib/cni/networks', netName)).filter((f) => f !== 'lock' && !f.startsWith('last_reserved_ip'));
    expect(leases).toEqual([]);
    expect(await hostNetworkSnapshot()).toEqual(before);
  }, 300_000);
});
