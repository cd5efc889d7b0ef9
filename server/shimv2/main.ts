// `containerd-shim-podvisor-v2` (runtime io.containerd.podvisor.v2): containerd's shim v2 binary.
//   start:  prints the ttrpc address of the pod's daemon, starting it unless it runs already (the
//           containers of one CRI sandbox share one daemon, one VM), and writes it to <bundle>/address.
//   delete: cleans up after a daemon that died: the pod gone, the rootfs unmounted; prints a
//           DeleteResponse (exit status 137) as protobuf on stdout.
//   serve:  (ours) the daemon itself (daemon.ts).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseShimFlags, type ShimFlags } from './flags.js';
import { encode, timestamp } from './proto.js';
import { SANDBOX_ANNOTATION } from './task.js';

/** Where daemon sockets live; short, as unix socket paths are limited to 107 bytes. */
const SOCKET_DIR = process.env['PODVISOR_SHIM_SOCKET_DIR'] || '/run/podvisor-shim';

function podIdOf(f: ShimFlags, bundle: string): string {
  const spec = JSON.parse(readFileSync(path.join(bundle, 'config.json'), 'utf8')) as { annotations?: Record<string, string> };
  return spec.annotations?.[SANDBOX_ANNOTATION] || f.id;
}

/** One socket per (containerd, namespace, pod): another containerd or namespace never shares a daemon. */
export function socketPathOf(dir: string, f: Pick<ShimFlags, 'address' | 'namespace'>, podId: string): string {
  return path.join(dir, `${createHash('sha256').update(`${f.address}\0${f.namespace}\0${podId}`).digest('hex').slice(0, 32)}.sock`);
}

const listening = (sock: string) =>
  new Promise<boolean>((resolve) => {
    const s = connect(sock, () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

async function start(f: ShimFlags): Promise<void> {
  const bundle = f.bundle || process.cwd();
  const podId = podIdOf(f, bundle);
  mkdirSync(SOCKET_DIR, { recursive: true, mode: 0o700 });
  const sock = socketPathOf(SOCKET_DIR, f, podId);
  if (!(await listening(sock))) {
    rmSync(sock, { force: true }); // a dead daemon's: nobody answers on it
    const argv = [...process.execArgv, process.argv[1]!, ...(f.debug ? ['-debug'] : []), '-namespace', f.namespace, '-address', f.address, '-id', podId, '-socket', sock, 'serve'];
    const child = spawn(process.execPath, argv, { detached: true, cwd: '/', stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
    const word = await new Promise<string>((resolve) => {
      child.once('exit', (code) => resolve(`exited (${code})`));
      createInterface({ input: child.stdio[3] as NodeJS.ReadableStream }).once('line', resolve);
    });
    if (word !== 'ready') throw new Error(`the shim daemon of ${podId} ${word}: see ${sock}.log`);
    child.unref();
    (child.stdio[3] as NodeJS.ReadableStream & { destroy(): void }).destroy();
  }
  writeFileSync(path.join(bundle, 'address'), `unix://${sock}`);
  process.stdout.write(`unix://${sock}`);
}

/**
 * containerd gives `delete` a few seconds: unmount and answer at once, and leave stopping the VM
 * (which can take longer) to a detached `reap` of our own.
 */
async function deleteDead(f: ShimFlags): Promise<void> {
  const bundle = f.bundle || process.cwd();
  const { linuxHost } = await import('../engine/host/linux.js');
  const rootfs = path.join(bundle, 'rootfs');
  if (await linuxHost.isMountPoint(rootfs)) await linuxHost.umount(rootfs, { lazy: true });
  let podId = f.id;
  try {
    podId = podIdOf(f, bundle);
  } catch {
    // the bundle's config is gone: the pod is named by the container
  }
  // containerd runs this after every daemon exit. A daemon that ended on Shutdown removed its
  // socket (and its pod); one still listening owns its pod: only a dead one's leftovers need reaping.
  let sock = '';
  try {
    sock = readFileSync(path.join(bundle, 'address'), 'utf8').replace(/^unix:\/\//, '').trim();
  } catch {
    // no address: start never got as far as a daemon
  }
  if (sock && existsSync(sock) && !(await listening(sock))) {
    const reaper = spawn(process.execPath, [...process.execArgv, process.argv[1]!, '-id', f.id, '-bundle', podId, 'reap'], { detached: true, cwd: '/', stdio: 'ignore' });
    reaper.unref();
  }
  process.stdout.write(encode('containerd.task.v2.DeleteResponse', { pid: 0, exitStatus: 137, exitedAt: timestamp(new Date()) }));
}

/** The pod of a dead daemon: this container removed, and the pod too when it held only this one. (-bundle carries the pod ID.) */
async function reap(f: ShimFlags): Promise<void> {
  const { connect: connectApi } = await import('../cli/client.js');
  const api = await connectApi(undefined);
  const podId = f.bundle;
  try {
    const status = await api.api.pod.status.query({ podId }).catch(() => null);
    if (!status) return;
    if (status.containersStatus.every((c) => c.id === f.id)) {
      if (status.state !== 'stopped') await api.api.pod.stop.mutate({ podId });
      await api.api.pod.delete.mutate({ podId });
    } else if (status.containersStatus.some((c) => c.id === f.id)) {
      await api.api.container.stop.mutate({ podId, containerId: f.id });
      await api.api.container.delete.mutate({ podId, containerId: f.id });
    }
  } finally {
    await api.close();
  }
}

async function serveDaemon(f: ShimFlags): Promise<void> {
  const logFile = `${f.socket}.log`;
  const log = (m: string) => appendFileSync(logFile, `${new Date().toISOString()} ${m}\n`);
  // One failed call or connection is not the daemon's end: containerd would count its tasks dead.
  process.on('uncaughtException', (err) => log(`uncaught: ${err.stack ?? err.message}`));
  process.on('unhandledRejection', (err) => log(`unhandled: ${(err as Error)?.stack ?? String(err)}`));
  const { connect: connectApi } = await import('../cli/client.js');
  const { runDaemon } = await import('./daemon.js');
  const ttrpcAddress = process.env['TTRPC_ADDRESS'] ?? `${f.address}.ttrpc`;
  await runDaemon({ api: await connectApi(undefined), podId: f.id, socket: f.socket, namespace: f.namespace, ttrpcAddress, debug: f.debug || process.env['PODVISOR_SHIM_DEBUG'] === '1', log });
  process.exit(0);
}

try {
  const f = parseShimFlags(process.argv.slice(2));
  if (f.action === 'start') await start(f);
  else if (f.action === 'delete') await deleteDead(f);
  else if (f.action === 'reap') await reap(f);
  else await serveDaemon(f);
} catch (err) {
  const message = `containerd-shim-podvisor-v2: ${err instanceof Error ? err.message : String(err)}\n`;
  process.stderr.write(message);
  // The daemon's stderr goes nowhere: its log file is where a failure to serve can be read.
  const socket = process.argv[process.argv.indexOf('-socket') + 1];
  if (process.argv.includes('serve') && socket) appendFileSync(`${socket}.log`, message);
  process.exitCode = 1;
}
