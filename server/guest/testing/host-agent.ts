// Runs the real guest agent on the HOST (tests, benches): listening on a unix socket instead of
// the virtio-serial port, with real crun and a busybox rootfs. On a cgroup v1/hybrid host crun
// refuses to run, so the agent gets its own mount namespace with a cgroup2 /sys/fs/cgroup.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const BUSYBOX_CANDIDATES = ['var/rootfs/busybox/bin/busybox', '/bin/busybox', '/usr/bin/busybox'];
const APPLETS = ['sh', 'ls', 'ps', 'cat', 'echo', 'sleep', 'id', 'stty', 'tty', 'true', 'false', 'env', 'pwd', 'hostname', 'touch', 'kill', 'wc', 'head'];

/** Why the host cannot run the agent for real, or null when it can. */
export function hostAgentUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root';
  for (const tool of ['crun', 'script', 'unshare', 'stty']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  return findBusybox() ? null : 'no busybox (apt-get install busybox-static)';
}

export function findBusybox(): string | null {
  return BUSYBOX_CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/** A minimal busybox rootfs with a root user, alice (1000) and bob (1001, also in group staff). */
export async function makeBusyboxRootfs(target: string): Promise<void> {
  for (const dir of ['bin', 'etc', 'proc', 'dev', 'sys', 'tmp', 'home/alice', 'root']) await mkdir(join(target, dir), { recursive: true });
  await copyFile(findBusybox()!, join(target, 'bin/busybox'));
  for (const applet of APPLETS) await symlink('busybox', join(target, 'bin', applet));
  await writeFile(join(target, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000:Alice:/home/alice:/bin/sh\nbob:x:1001:1001::/tmp:/bin/sh\n');
  await writeFile(join(target, 'etc/group'), 'root:x:0:\nalice:x:1000:\nbob:x:1001:\nstaff:x:50:bob\n');
}

export interface HostAgent {
  socketPath: string;
  sharedDir: string;
  /** Where the agent mounts the pod's volumes (<dir>/volumes), as the VM's /run/kata-containers/shared/volumes. */
  volumesDir: string;
  /** Plays QEMU's part for a share device: what the guest mounts by `tag` is `hostPath`. */
  exportShare(tag: string, hostPath: string): Promise<void>;
  /** What the agent printed, for diagnosing a failing test. */
  output(): string;
  /** SIGKILL, as a crashing agent; its containers are left behind. */
  crash(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `node ...nodeArgs` as the agent, serving on `<dir>/agent.sock`, containers under `<dir>/shared`. */
export async function startHostAgent(dir: string, nodeArgs: string[]): Promise<HostAgent> {
  const socketPath = join(dir, 'agent.sock');
  const sharedDir = join(dir, 'shared');
  const volumesDir = join(dir, 'volumes');
  const exportsDir = join(dir, 'exports');
  await mkdir(sharedDir, { recursive: true });
  await mkdir(exportsDir, { recursive: true });
  await rm(socketPath, { force: true }); // a crashed predecessor's socket would look like a ready agent
  // Bind mounts the host makes under `dir` later (rootfs shares) must reach the agent's namespace.
  spawnSync('sh', ['-c', 'mountpoint -q "$0" || { mount --bind "$0" "$0" && mount --make-shared "$0"; }', dir]);
  const cgroup2 = spawnSync('stat', ['-f', '-c', '%T', '/sys/fs/cgroup']).stdout.toString().trim() === 'cgroup2fs';
  const prepare = cgroup2 ? '' : 'mount --make-rprivate /sys && mount -t cgroup2 none /sys/fs/cgroup && ';
  const child = spawn('unshare', ['-m', '--propagation', 'unchanged', 'sh', '-c', `${prepare}exec "$@"`, 'sh', process.execPath, ...nodeArgs], {
    env: {
      ...process.env,
      PODVISOR_AGENT_PORT: `unix:${socketPath}`,
      PODVISOR_AGENT_SHARED_DIR: sharedDir,
      PODVISOR_AGENT_STATE_DIR: join(dir, 'state'),
      PODVISOR_AGENT_VOLUMES_DIR: volumesDir,
      PODVISOR_AGENT_VOLUME_EXPORTS: exportsDir,
      // The host's cgroups are not ours to manage (and eBPF device rules need CAP_SYS_RESOURCE).
      PODVISOR_CRUN_ARGS: '--cgroup-manager=disabled',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  for (let i = 0; !existsSync(socketPath); i++) {
    if (child.exitCode !== null || i > 200) throw new Error(`agent did not start: ${output}`);
    await sleep(50);
  }
  return {
    socketPath,
    sharedDir,
    volumesDir,
    async exportShare(tag, hostPath) {
      await rm(join(exportsDir, tag), { force: true });
      await symlink(hostPath, join(exportsDir, tag)); // mount --bind follows it
    },
    output: () => output,
    async crash() {
      child.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, sleep(5_000).then(() => child.kill('SIGKILL'))]);
      await exited;
      spawnSync('umount', ['-l', dir]);
    },
  };
}
