// The OCI runtime spec (a bundle's config.json, an exec's process.json) mapped onto PodConfig /
// CmdInput. Pure: no I/O. Every field is in exactly one of three lists below — mapped, provided by
// the VM, or refused — and an unknown field is refused too, so nothing a client asks for is ever
// dropped without a word: refusals are NOT_SUPPORTED naming the field, and what the VM provides in
// its own way is listed on the pod (annotation UNAPPLIED_ANNOTATION) for `podvisor pod status`.
import { z } from 'zod';
import { EngineError } from '../engine/errors.js';
import type { CmdInput, ContainerConfigInput, MountSchema, PodConfigInput } from '../engine/types.js';
import type { ConsoleSize } from './pty-handoff.js';

/** The pod annotation listing the spec fields the VM provides instead (comma-separated). */
export const UNAPPLIED_ANNOTATION = 'io.podvisor.oci.vm-provided';
/** Container annotations that record where the container came from. */
export const BUNDLE_ANNOTATION = 'io.podvisor.oci.bundle';

// Only the shape is checked here; values are checked by the engine's own schemas afterwards.
const Loose = z.record(z.string(), z.unknown());
const ProcessSpec = z
  .object({
    terminal: z.boolean().optional(),
    consoleSize: z.object({ height: z.number(), width: z.number() }).optional(),
    user: z.object({ uid: z.number().int(), gid: z.number().int(), umask: z.number().int().optional(), additionalGids: z.array(z.number().int()).optional(), username: z.string().optional() }).passthrough(),
    args: z.array(z.string()).min(1),
    env: z.array(z.string()).optional(),
    cwd: z.string(),
    capabilities: z.record(z.string(), z.array(z.string())).optional(),
    rlimits: z.array(z.object({ type: z.string(), hard: z.number(), soft: z.number() })).optional(),
    noNewPrivileges: z.boolean().optional(),
  })
  .passthrough();
export type OciProcess = z.infer<typeof ProcessSpec>;

const MountSpec = z.object({ destination: z.string(), type: z.string().optional(), source: z.string().optional(), options: z.array(z.string()).optional() }).passthrough();
const HookSpec = z.object({ path: z.string(), args: z.array(z.string()).optional(), env: z.array(z.string()).optional(), timeout: z.number().int().optional() });
const Spec = z
  .object({
    ociVersion: z.string(),
    process: ProcessSpec,
    root: z.object({ path: z.string(), readonly: z.boolean().optional() }),
    hostname: z.string().optional(),
    domainname: z.string().optional(),
    mounts: z.array(MountSpec).optional(),
    hooks: z.record(z.string(), z.array(HookSpec)).optional(),
    annotations: z.record(z.string(), z.string()).optional(),
    linux: Loose.optional(),
  })
  .passthrough();
export type OciSpec = z.infer<typeof Spec>;

function refuse(field: string, why: string): never {
  throw new EngineError('NOT_SUPPORTED', `config.json ${field}: ${why}`, { field });
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new EngineError('INVALID_CONFIG', `${what}: ${r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** Keys each object may have; anything else is refused by name. */
function onlyKnown(obj: Record<string, unknown>, known: readonly string[], prefix: string): void {
  for (const key of Object.keys(obj)) if (!known.includes(key)) refuse(`${prefix}${key}`, 'Podvisor does not know this field, so it cannot honour it');
}

const PROCESS_KEYS = ['terminal', 'consoleSize', 'user', 'args', 'env', 'cwd', 'capabilities', 'rlimits', 'noNewPrivileges', 'apparmorProfile', 'oomScoreAdj', 'selinuxLabel'] as const;
/** Host-kernel confinement of one process; the guest kernel confines it inside the VM instead. */
const PROCESS_VM_PROVIDED = ['rlimits', 'apparmorProfile', 'oomScoreAdj', 'selinuxLabel'] as const;
/** umask 0022, the guest's own: podman always sends it. */
const GUEST_UMASK = 0o022;
const GUEST_CONSOLE = '/dev/console';

/** A process's terminal (null: it has none) and the size it starts with, when the client gave one. */
export function ociTerminalOf(raw: unknown): { size: ConsoleSize | null } | null {
  const p = parse(ProcessSpec, raw, 'OCI process');
  if (!p.terminal) return null;
  return { size: p.consoleSize ? { rows: p.consoleSize.height, columns: p.consoleSize.width } : null };
}

/** process (config.json's, or an exec's process.json) → the engine's Cmd; `vmProvided` collects what the VM does its own way. */
export function ociProcessToCmd(raw: unknown, vmProvided: string[] = [], prefix = 'process.'): CmdInput {
  const p = parse(ProcessSpec, raw, 'OCI process');
  onlyKnown(p, PROCESS_KEYS, prefix);
  onlyKnown(p.user, ['uid', 'gid', 'umask', 'additionalGids', 'username'], `${prefix}user.`);
  if (p.user.umask !== undefined && p.user.umask !== GUEST_UMASK) refuse(`${prefix}user.umask`, `only ${GUEST_UMASK.toString(8).padStart(4, '0')} (the guest's) is supported, not ${p.user.umask.toString(8).padStart(4, '0')}`);
  for (const key of PROCESS_VM_PROVIDED) if (p[key] !== undefined) vmProvided.push(`${prefix}${key}`);
  const envs = (p.env ?? []).map((e, i) => {
    const eq = e.indexOf('=');
    if (eq <= 0) throw new EngineError('INVALID_CONFIG', `OCI process: ${prefix}env.${i}: "${e}" is not NAME=value`);
    return { var: e.slice(0, eq), value: e.slice(eq + 1) };
  });
  let capabilities: CmdInput['capabilities'];
  if (p.capabilities) {
    onlyKnown(p.capabilities, ['bounding', 'effective', 'inheritable', 'permitted', 'ambient'], `${prefix}capabilities.`);
    capabilities = { bounding: [], effective: [], inheritable: [], permitted: [], ambient: [], ...p.capabilities };
  }
  return {
    args: p.args,
    envs,
    workDir: p.cwd,
    user: String(p.user.uid),
    primaryGroup: String(p.user.gid),
    supplementaryGroups: (p.user.additionalGids ?? []).map(String),
    // A terminal is the guest's pty (any non-empty console asks for one, processSpecOf in the kata
    // driver), with stdin; the relay joins it to the client's through pty-handoff.ts.
    interactive: p.terminal === true,
    console: p.terminal ? GUEST_CONSOLE : '',
    detach: true,
    noNewPrivileges: p.noNewPrivileges ?? false,
    ...(capabilities ? { capabilities } : {}),
  };
}

/** Mount types the guest makes for every container itself (server/guest/agent/oci-spec.ts). */
const GUEST_MOUNT_TYPES = new Set(['proc', 'sysfs', 'devpts', 'mqueue', 'cgroup', 'cgroup2']);
type MountInput = z.input<typeof MountSchema>;

function mapMounts(mounts: z.infer<typeof MountSpec>[], vmProvided: string[]): MountInput[] {
  const out: MountInput[] = [];
  mounts.forEach((m, i) => {
    const field = `mounts.${i}`;
    onlyKnown(m, ['destination', 'type', 'source', 'options', 'uidMappings', 'gidMappings'], `${field}.`);
    if ('uidMappings' in m || 'gidMappings' in m) refuse(`${field}.uidMappings`, 'id-mapped mounts are not supported');
    const type = m.type ?? (m.options?.includes('bind') || m.options?.includes('rbind') ? 'bind' : '');
    // /dev's tmpfs and the kernel file systems are the guest's own: each container gets them there.
    if (GUEST_MOUNT_TYPES.has(type) || (type === 'tmpfs' && m.destination === '/dev')) {
      vmProvided.push(`${field} (${type} at ${m.destination})`);
      return;
    }
    if (!m.source) throw new EngineError('INVALID_CONFIG', `config.json ${field}.source: missing`);
    const options = m.options ?? [];
    if (type === 'bind' && m.destination === '/dev/shm') {
      // podman's per-container shm tmpfs: the guest gives each container a /dev/shm tmpfs of its own.
      vmProvided.push(`${field} (/dev/shm)`);
      return;
    }
    if (type === 'bind') {
      // Propagation flags concern the host's mount tree: the bind is re-made inside the VM.
      const kept = options.filter((o) => !['bind', 'rbind', 'rprivate', 'private', 'rslave', 'slave', 'rshared', 'shared', 'ro', 'rw'].includes(o));
      out.push({ source: m.source, destination: m.destination, type: 'bind', options: kept, readOnly: options.includes('ro') });
      return;
    }
    if (type === 'tmpfs') {
      out.push({ source: m.source, destination: m.destination, type, options: options.filter((o) => o !== 'ro' && o !== 'rw'), readOnly: options.includes('ro') });
      return;
    }
    refuse(`${field}.type`, `mount type "${type}" at ${m.destination} is not supported (bind, tmpfs and the guest's kernel file systems are)`);
  });
  return out;
}

const HOOK_KINDS = { prestart: 'preStartHooks', poststart: 'postStartHooks', poststop: 'postStopHooks' } as const;

function mapHooks(hooks: Record<string, z.infer<typeof HookSpec>[]>): PodConfigInput['hooks'] {
  const out = { preStartHooks: [], postStartHooks: [], postStopHooks: [] } as Required<NonNullable<PodConfigInput['hooks']>>;
  for (const [kind, list] of Object.entries(hooks)) {
    if (!list.length) continue;
    if (!(kind in HOOK_KINDS)) refuse(`hooks.${kind}`, 'only prestart, poststart and poststop hooks are supported (they run on the host, around the VM)');
    out[HOOK_KINDS[kind as keyof typeof HOOK_KINDS]] = list.map((h) => ({ path: h.path, args: h.args ?? [], env: h.env ?? [], timeout: h.timeout ?? 0 }));
  }
  return out;
}

const LINUX_KEYS = ['namespaces', 'resources', 'cgroupsPath', 'seccomp', 'maskedPaths', 'readonlyPaths', 'mountLabel', 'rootfsPropagation', 'sysctl', 'devices', 'uidMappings', 'gidMappings', 'personality', 'intelRdt'] as const;
/** Host-side confinement of the container: inside the VM, the guest applies its own (oci-spec.ts). */
const LINUX_VM_PROVIDED = ['cgroupsPath', 'seccomp', 'maskedPaths', 'readonlyPaths', 'mountLabel', 'rootfsPropagation', 'personality', 'intelRdt'] as const;
const GUEST_NAMESPACES = ['pid', 'ipc', 'uts', 'mount'];
const RESOURCE_KEYS = ['devices', 'pids', 'memory', 'cpu', 'blockIO', 'hugepageLimits', 'network', 'rdma', 'unified'] as const;

const isEmpty = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && Object.keys(v as object).length === 0);

interface LinuxMapping {
  networkModel: 'noop' | 'CNM';
  netNsPath: string;
  vmConfig: { vcpus: number; memory: number };
}

function mapLinux(linux: Record<string, unknown>, vmProvided: string[], inSandbox: boolean): LinuxMapping {
  onlyKnown(linux, LINUX_KEYS, 'linux.');
  for (const key of LINUX_VM_PROVIDED) if (!isEmpty(linux[key])) vmProvided.push(`linux.${key}`);
  for (const key of ['sysctl', 'devices', 'uidMappings', 'gidMappings'] as const) {
    if (!isEmpty(linux[key])) refuse(`linux.${key}`, key === 'devices' ? 'host devices cannot be passed into the VM this way' : key === 'sysctl' ? 'sysctls of the container are not supported (the VM has its own kernel)' : 'user namespaces are not supported');
  }
  const mapping: LinuxMapping = { networkModel: 'noop', netNsPath: '', vmConfig: { vcpus: 0, memory: 0 } };
  const namespaces = parse(z.array(z.object({ type: z.string(), path: z.string().optional() })).default([]), linux['namespaces'], 'linux.namespaces');
  namespaces.forEach((ns, i) => {
    if (ns.type === 'network') {
      // A path: the client made and configured the netns (CNI); the VM's NIC joins it (CNM). None: a
      // fresh, empty netns, which is what a VM without NICs already is.
      if (ns.path) mapping.networkModel = 'CNM';
      mapping.netNsPath = ns.path ?? '';
      return;
    }
    if (!GUEST_NAMESPACES.includes(ns.type)) refuse(`linux.namespaces.${i}`, `the ${ns.type} namespace is not supported`);
    if (ns.path && !inSandbox) refuse(`linux.namespaces.${i}.path`, `joining another ${ns.type} namespace needs the containers in one pod, which podvisor-oci does not group`);
    vmProvided.push(`linux.namespaces.${i} (${ns.type}: every container gets its own in the guest)`);
  });
  const resources = (linux['resources'] ?? {}) as Record<string, unknown>;
  onlyKnown(resources, RESOURCE_KEYS, 'linux.resources.');
  for (const key of RESOURCE_KEYS) {
    const value = resources[key];
    if (isEmpty(value)) continue;
    if (key === 'memory') {
      const limit = (value as { limit?: number }).limit;
      onlyKnown(value as Record<string, unknown>, ['limit', 'reservation', 'swap', 'kernel', 'kernelTCP', 'swappiness', 'disableOOMKiller', 'useHierarchy'], 'linux.resources.memory.');
      // The VM's memory is the limit, as kata-runtime sized it.
      if (limit !== undefined && limit > 0) mapping.vmConfig.memory = Math.ceil(limit / 2 ** 20);
      const rest = Object.keys(value as object).filter((k) => k !== 'limit');
      if (rest.length) vmProvided.push(...rest.map((k) => `linux.resources.memory.${k}`));
    } else if (key === 'cpu') {
      const cpu = value as { quota?: number; period?: number };
      onlyKnown(cpu, ['shares', 'quota', 'period', 'realtimeRuntime', 'realtimePeriod', 'cpus', 'mems', 'idle'], 'linux.resources.cpu.');
      // quota/period CPUs' worth of time → that many vCPUs, rounded up.
      if (cpu.quota && cpu.quota > 0 && cpu.period && cpu.period > 0) mapping.vmConfig.vcpus = Math.ceil(cpu.quota / cpu.period);
      const rest = Object.keys(cpu).filter((k) => k !== 'quota' && k !== 'period');
      if (rest.length) vmProvided.push(...rest.map((k) => `linux.resources.cpu.${k}`));
    } else {
      vmProvided.push(`linux.resources.${key}`);
    }
  }
  return mapping;
}

export interface OciPodOptions {
  /** The OCI container ID: it names both the pod and its one container. */
  id: string;
  bundle: string;
  /**
   * The container joins a sandbox's pod (the containerd shim groups them): CRI's grouping
   * annotations are then expected, and the sandbox's namespaces it names are the pod's VM.
   */
  inSandbox?: boolean;
}

export interface OciPod {
  config: PodConfigInput;
  /** What the VM provides its own way (also on the pod as UNAPPLIED_ANNOTATION). */
  vmProvided: string[];
}

const SPEC_KEYS = ['ociVersion', 'process', 'root', 'hostname', 'domainname', 'mounts', 'hooks', 'annotations', 'linux'] as const;
/** kata-runtime's grouping annotations: a container of an existing sandbox must join that sandbox's VM. */
const JOIN_ANNOTATIONS: Record<string, string> = { 'io.kubernetes.cri.container-type': 'container', 'io.kubernetes.cri-o.ContainerType': 'container' };

/** A bundle's config.json → one pod (a QEMU VM on the kata agent) holding one container. */
export function ociToPodConfig(raw: unknown, opts: OciPodOptions): OciPod {
  const spec = parse(Spec, raw, 'config.json');
  onlyKnown(spec, SPEC_KEYS, '');
  if (!spec.ociVersion.startsWith('1.')) refuse('ociVersion', `version ${spec.ociVersion} is not 1.x`);
  if (spec.domainname) refuse('domainname', 'setting the NIS domain name is not supported');
  const annotations = spec.annotations ?? {};
  for (const [key, value] of Object.entries(JOIN_ANNOTATIONS)) {
    if (annotations[key] === value && !opts.inSandbox) refuse(`annotations.${key}`, 'containers joining a sandbox are not supported by podvisor-oci: use the containerd shim (one VM per sandbox)');
  }
  const vmProvided: string[] = [];
  const cmd = ociProcessToCmd(spec.process, vmProvided);
  const mounts = mapMounts(spec.mounts ?? [], vmProvided);
  const linux = mapLinux(spec.linux ?? {}, vmProvided, opts.inSandbox === true);
  const container: ContainerConfigInput = {
    id: opts.id,
    rootFs: spec.root.path,
    readonlyRootfs: spec.root.readonly ?? false,
    cmd,
    annotations: { ...annotations, [BUNDLE_ANNOTATION]: opts.bundle },
    mounts,
  };
  const config: PodConfigInput = {
    id: opts.id,
    hostname: spec.hostname ?? '',
    hooks: mapHooks(spec.hooks ?? {}),
    vmConfig: linux.vmConfig,
    hypervisorType: 'qemu',
    agentType: 'kata',
    proxyType: 'kataProxy',
    shimType: 'kataShim',
    networkModel: linux.networkModel,
    networkConfig: { netNsPath: linux.netNsPath },
    containers: [container],
    annotations: { ...annotations, [UNAPPLIED_ANNOTATION]: vmProvided.join(', ') },
  };
  return { config, vmProvided };
}
