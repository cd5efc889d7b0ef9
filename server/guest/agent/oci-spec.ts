// Builds the OCI runtime config (config.json) of a container and the process object used for
// its init and for every exec. Containers share the guest's network namespace: the VM is the
// pod, so its network is the pod's network (upstream kata also drops the netns entry).
import { join } from 'node:path';
import type { ProcessSpec } from '../protocol/ops.js';
import type { OciDevice } from './devices.js';
import { resolveUser } from './users.js';

/** crun's default capability set (`crun spec`), used when the Cmd names none. */
const DEFAULT_CAPS = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];
const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Where crun puts the container's cgroup, below the guest's cgroup2 mount (guest-stats.ts reads it). */
export const cgroupsPathOf = (containerId: string) => `/podvisor/${containerId}`;

export async function buildProcess(rootfs: string, spec: ProcessSpec): Promise<Record<string, unknown>> {
  const user = await resolveUser(rootfs, spec);
  const env = [...spec.env];
  const has = (name: string) => env.some((e) => e.startsWith(`${name}=`));
  if (!has('PATH')) env.push(DEFAULT_PATH);
  if (!has('HOME')) env.push(`HOME=${user.home}`);
  if (spec.terminal && !has('TERM')) env.push('TERM=xterm');
  const caps = spec.capabilities ?? { bounding: DEFAULT_CAPS, effective: DEFAULT_CAPS, inheritable: [], permitted: DEFAULT_CAPS, ambient: DEFAULT_CAPS };
  return {
    terminal: spec.terminal,
    ...(spec.terminal ? { consoleSize: { height: spec.consoleSize?.rows ?? 24, width: spec.consoleSize?.columns ?? 80 } } : {}),
    user: { uid: user.uid, gid: user.gid, additionalGids: user.additionalGids },
    args: spec.args,
    env,
    cwd: spec.cwd || '/',
    capabilities: caps,
    noNewPrivileges: spec.noNewPrivileges,
  };
}

export interface OciMount {
  destination: string;
  type: string;
  source: string;
  options?: string[];
}

export interface ContainerSpecInput {
  containerId: string;
  rootfs: string;
  readonlyRootfs: boolean;
  hostname: string;
  process: Record<string, unknown>;
  /** The pod's hosts, resolv.conf and hostname files this container gets; null: the rootfs keeps its own. */
  networkFiles: { dir: string; names: readonly string[] } | null;
  /** The container's own mounts; one at the destination of a default replaces it (a bigger /dev/shm). */
  mounts: OciMount[];
  /** Device nodes crun makes in the container (devices.ts), each allowed in its device cgroup. */
  devices?: OciDevice[];
}

/** Read-only: a container must not rewrite the pod's name resolution for its siblings. */
function networkFileMounts(files: ContainerSpecInput['networkFiles']): OciMount[] {
  if (!files) return [];
  return files.names.map((name) => ({ destination: `/etc/${name}`, type: 'bind', source: join(files.dir, name), options: ['rbind', 'ro'] }));
}

/** What every container gets; proc, sysfs, devpts and mqueue are the guest's own, never shared from the host. */
function defaultMounts(networkFiles: ContainerSpecInput['networkFiles']): OciMount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc' },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    ...networkFileMounts(networkFiles),
  ];
}

const depth = (destination: string) => destination.split('/').filter(Boolean).length;

/**
 * The defaults, less those a container mount replaces, then the container's: a parent before what
 * is mounted below it (a container's /dev before the default /dev/pts), as Docker sorts.
 */
function mountsOf(input: ContainerSpecInput): OciMount[] {
  const own = new Set(input.mounts.map((m) => m.destination));
  const all = [...defaultMounts(input.networkFiles).filter((m) => !own.has(m.destination)), ...input.mounts];
  return all.sort((a, b) => depth(a.destination) - depth(b.destination));
}

export function buildConfig(input: ContainerSpecInput): Record<string, unknown> {
  return {
    ociVersion: '1.0.2',
    process: input.process,
    root: { path: input.rootfs, readonly: input.readonlyRootfs },
    hostname: input.hostname,
    mounts: mountsOf(input),
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      cgroupsPath: cgroupsPathOf(input.containerId),
      ...(input.devices?.length
        ? {
            devices: input.devices,
            resources: { devices: input.devices.filter((d) => d.type !== 'p').map((d) => ({ allow: true, type: d.type === 'u' ? 'c' : d.type, major: d.major, minor: d.minor, access: 'rwm' })) },
          }
        : {}),
      maskedPaths: ['/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/sched_debug', '/sys/firmware', '/proc/scsi'],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}
