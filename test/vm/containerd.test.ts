// containerd driving Podvisor through containerd-shim-podvisor-v2 (`--runtime
// io.containerd.podvisor.v2`), as an unmodified client: Debian's containerd started here with its
// own config, root, state and sockets (never the system's), our shim found on its PATH, and a
// busybox image imported with `ctr image import` from a tarball built here (the busybox-static
// rootfs, podman import + save). Each shim daemon is a real QEMU pod; afterwards no QEMU, shim
// daemon, mount, FIFO or run dir of ours is left.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processesMentioning } from '../helpers/vm.js';

const REPO = path.resolve(import.meta.dirname, '../..');
const tmp = mkdtempSync('/tmp/pvc-');
const at = (...p: string[]) => path.join(tmp, ...p);
const env = {
  PODVISOR_HOME: at('home'),
  PODVISOR_RUN_DIR: at('r'),
  PODVISOR_HOST_PATH_ROOTS: `${at('state')}:${at('root')}`,
  PODVISOR_SHIM_SOCKET_DIR: at('s'),
};
const image = 'localhost/pvbb:1';
const RUNTIME = 'io.containerd.podvisor.v2';
let containerd: ChildProcess;

const ctrArgs = (args: string[]) => ['-a', at('c.sock'), '-n', 'pv', ...args];
const ctr = (...args: string[]) => execa('ctr', ctrArgs(args), { reject: false, timeout: 240_000 });
const shellWords = (words: string[]) => words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
/**
 * ctr on a 30x100 terminal (script(1) gives it one): -t needs one, and sends its size (ResizePty).
 * script's stdin stays open: at its EOF script would type an EOF character into ctr's terminal.
 */
const ctrOnTerminal = (...args: string[]) =>
  execa('script', ['-qec', `stty rows 30 cols 100; ${shellWords(['ctr', ...ctrArgs(args)])}`, '/dev/null'], { reject: false, timeout: 240_000, stdin: 'pipe' });
/**
 * Lines of what a process on a terminal printed through ctr: the guest's pty ends them CR LF, and
 * ctr's raw mode keeps OPOST and ONLCR (containerd's console expects runc's -onlcr pty), so CR CR LF.
 */
const terminalLines = (out: string) => out.trimEnd().split(/\r*\n/);
/** The guest starts a pty at 24x80; ctr's size follows Start, so the process waits for it (5 s at most). */
const WAIT_FOR_SIZE = 'i=0; while [ "$(stty size)" = "24 80" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i+1)); done';
const podvisor = (...args: string[]) => execa('node', [path.join(REPO, 'bin/podvisor.js'), ...args], { env, reject: false });
const pods = async () => JSON.parse((await podvisor('pod', 'list', '--json')).stdout) as { id: string; containers?: unknown }[];
const taskTable = async () => (await ctr('task', 'ls')).stdout.split('\n').slice(1).map((l) => l.split(/\s+/).filter(Boolean));

/** The daemons' logs (PODVISOR_SHIM_DEBUG=1 logs every call), for a failure's message. */
const shimLogs = () => readdirSync(env.PODVISOR_SHIM_SOCKET_DIR).filter((n) => n.endsWith('.log')).map((n) => readFileSync(path.join(env.PODVISOR_SHIM_SOCKET_DIR, n), 'utf8')).join('\n');

/** A killed task's exit reaches containerd as an event: wait for it (bounded by the test's timeout). */
async function untilStopped(id: string): Promise<void> {
  while (!(await taskTable()).some((row) => row[0] === id && row[2] === 'STOPPED')) await delay(100);
}

async function expectNothingLeft(): Promise<void> {
  // The daemon closed its connections before containerd returned; its exit follows at once.
  while ((await processesMentioning(env.PODVISOR_SHIM_SOCKET_DIR)).length) await delay(100);
  // containerd itself names tmp in its argv: everything else is ours and must be gone.
  expect((await processesMentioning(tmp)).filter((l) => !l.includes('containerd --config'))).toEqual([]);
  expect(readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(tmp))).toEqual([]);
  expect((existsSync(env.PODVISOR_RUN_DIR) ? readdirSync(env.PODVISOR_RUN_DIR) : []).filter((n) => n !== 'accel.json')).toEqual([]);
  expect(readdirSync(env.PODVISOR_SHIM_SOCKET_DIR).filter((n) => n.endsWith('.sock'))).toEqual([]);
  expect(existsSync(at('state', 'io.containerd.runtime.v2.task', 'pv')) ? readdirSync(at('state', 'io.containerd.runtime.v2.task', 'pv')) : []).toEqual([]);
  expect(await pods()).toEqual([]);
}

beforeAll(async () => {
  // The image tarball: the busybox-static rootfs (npm run build:rootfs) as a one-layer image.
  const podman = (...a: string[]) => execa('podman', ['--root', at('ps'), '--runroot', at('pr'), '--storage-driver', 'overlay', ...a], { env: { CONTAINERS_CONF: '/dev/null' } });
  await execa('tar', ['-C', path.join(REPO, 'var/rootfs/busybox'), '-cf', at('rootfs.tar'), '.']);
  await podman('import', '--change', 'ENV PATH=/bin:/sbin', at('rootfs.tar'), image);
  await podman('save', '-o', at('image.tar'), image);
  await podman('rmi', '-a', '-f');

  mkdirSync(at('bin'));
  mkdirSync(env.PODVISOR_SHIM_SOCKET_DIR);
  symlinkSync(path.join(REPO, 'bin/containerd-shim-podvisor-v2'), at('bin', 'containerd-shim-podvisor-v2'));
  writeFileSync(
    at('config.toml'),
    [
      'version = 2',
      `root = "${at('root')}"`,
      `state = "${at('state')}"`,
      // The CRI plugin is what a RuntimeClass goes through (docs/clients.md); ctr needs none of it.
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      `[grpc]\n  address = "${at('c.sock')}"`,
      `[ttrpc]\n  address = "${at('c.sock.ttrpc')}"`,
      '',
    ].join('\n'),
  );
  // containerd hands its environment to the shims it starts: that is how ours finds its store.
  containerd = spawn('containerd', ['--config', at('config.toml')], { env: { ...process.env, ...env, PATH: `${at('bin')}:${process.env['PATH']}` }, stdio: ['ignore', 'ignore', 'ignore'] });
  while ((await ctr('version')).exitCode !== 0) await delay(100);
  const imported = await ctr('image', 'import', '--base-name', 'localhost/pvbb', at('image.tar'));
  expect(imported.exitCode, imported.stderr).toBe(0);
}, 180_000);

afterAll(async () => {
  for (const id of ['c0', 't0', 't1', 'p2', 'p1']) {
    await ctr('task', 'kill', '-s', 'SIGKILL', id);
    await ctr('task', 'delete', '-f', id);
    await ctr('container', 'rm', id);
  }
  const exited = new Promise((resolve) => containerd.once('exit', resolve));
  containerd.kill('SIGTERM');
  await exited;
  rmSync(tmp, { recursive: true, force: true });
}, 240_000);

describe('ctr --runtime io.containerd.podvisor.v2 on real QEMU pods', () => {
  it('runs a container to its end: output and exit code 3, then nothing left', async () => {
    const run = await ctr('run', '--rm', '--runtime', RUNTIME, image, 'c0', 'sh', '-c', 'echo hello; exit 3');
    expect([run.stdout, run.exitCode], `${run.stderr}\n${shimLogs()}`).toEqual(['hello', 3]);
    await expectNothingLeft();
  }, 300_000);

  it('terminals: ctr run -t and ctr task exec -t get the guest pty, at the size of the terminal ctr is on, and their exit codes', async () => {
    const run = await ctrOnTerminal('run', '-t', '--rm', '--runtime', RUNTIME, image, 't0', 'sh', '-c', `${WAIT_FOR_SIZE}; tty; stty size; exit 3`);
    expect([terminalLines(run.stdout), run.exitCode], `${run.stderr}\n${shimLogs()}`).toEqual([[expect.stringMatching(/^\/dev\/pts\/\d+$/), '30 100'], 3]);

    expect((await ctr('run', '-d', '--runtime', RUNTIME, image, 't1', 'sh', '-c', 'sleep 600')).exitCode).toBe(0);
    const exec = await ctrOnTerminal('task', 'exec', '-t', '--exec-id', 'x1', 't1', 'sh', '-c', `${WAIT_FOR_SIZE}; tty; stty size; exit 4`);
    expect([terminalLines(exec.stdout), exec.exitCode], `${exec.stderr}\n${shimLogs()}`).toEqual([[expect.stringMatching(/^\/dev\/pts\/\d+$/), '30 100'], 4]);
    expect((await ctr('task', 'kill', '-s', 'SIGKILL', 't1')).exitCode).toBe(0);
    await untilStopped('t1');
    expect((await ctr('task', 'delete', 't1')).exitCode).toBe(0);
    expect((await ctr('container', 'rm', 't1')).exitCode).toBe(0);
    await expectNothingLeft();
  }, 300_000);

  it('two containers in one shim daemon and one VM: exec, ps, pause, resume, kill, delete', async () => {
    const run = await ctr('run', '-d', '--runtime', RUNTIME, image, 'p1', 'sh', '-c', 'while true; do sleep 1; done');
    expect(run.exitCode, run.stderr).toBe(0);
    const exec = await ctr('task', 'exec', '--exec-id', 'e1', 'p1', 'echo', 'exec-out');
    expect([exec.stdout, exec.exitCode], exec.stderr).toEqual(['exec-out', 0]);
    expect((await ctr('task', 'exec', '--exec-id', 'e2', 'p1', 'sh', '-c', 'exit 5')).exitCode).toBe(5);
    // The task's PID: a host process standing for the container's init (its kata shim).
    const ps = (await ctr('task', 'ps', 'p1')).stdout.split('\n');
    expect(ps[0]).toMatch(/^PID\s+INFO/);
    expect(existsSync(`/proc/${ps[1]!.split(/\s+/)[0]}`)).toBe(true);

    // A second container of the same sandbox joins the same daemon and the same pod.
    const second = await ctr('run', '-d', '--runtime', RUNTIME, '--annotation', 'io.kubernetes.cri.sandbox-id=p1', image, 'p2', 'sh', '-c', 'sleep 600');
    expect(second.exitCode, second.stderr).toBe(0);
    expect(readdirSync(env.PODVISOR_SHIM_SOCKET_DIR).filter((n) => n.endsWith('.sock'))).toHaveLength(1);
    const status = JSON.parse((await podvisor('pod', 'status', 'p1', '--json')).stdout);
    expect(status.containersStatus.map((c: { id: string }) => c.id).sort()).toEqual(['p1', 'p2']);

    expect((await ctr('task', 'pause', 'p1')).exitCode).toBe(0);
    expect(await taskTable()).toEqual(expect.arrayContaining([expect.arrayContaining(['p1', 'PAUSED']), expect.arrayContaining(['p2', 'PAUSED'])]));
    expect(JSON.parse((await podvisor('pod', 'status', 'p1', '--json')).stdout).state).toBe('paused');
    expect((await ctr('task', 'resume', 'p1')).exitCode).toBe(0);

    expect((await ctr('task', 'kill', '-s', 'SIGKILL', 'p2')).exitCode).toBe(0);
    await untilStopped('p2');
    const waited = await ctr('task', 'delete', 'p2');
    expect(waited.exitCode, waited.stderr).toBe(0);
    expect(waited.stderr).toContain('exit code 137');
    expect((await ctr('container', 'rm', 'p2')).exitCode).toBe(0);
    expect(JSON.parse((await podvisor('pod', 'status', 'p1', '--json')).stdout).containersStatus.map((c: { id: string }) => c.id)).toEqual(['p1']);

    expect((await ctr('task', 'kill', 'p1')).exitCode).toBe(0);
    // sh as PID 1 ignores SIGTERM: the task is still running, so delete is refused.
    expect((await ctr('task', 'delete', 'p1')).exitCode).not.toBe(0);
    expect((await ctr('task', 'kill', '-s', 'SIGKILL', 'p1')).exitCode).toBe(0);
    await untilStopped('p1');
    const deleted = await ctr('task', 'delete', 'p1');
    expect(deleted.stderr).toContain('exit code 137');
    expect((await ctr('container', 'rm', 'p1')).exitCode).toBe(0);
    await expectNothingLeft();
  }, 300_000);
});
