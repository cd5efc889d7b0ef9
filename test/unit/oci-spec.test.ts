// The OCI spec → PodConfig mapping (server/oci/spec.ts): podman's real config.json and exec
// process.json (captured from podman 4.3 with runc, test/unit/fixtures) map onto a valid pod, and
// every other field is either mapped, listed as provided by the VM, or refused by name.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../server/engine/errors.js';
import { CmdSchema, PodConfigSchema } from '../../server/engine/types.js';
import { BUNDLE_ANNOTATION, ociProcessToCmd, ociTerminalOf, ociToPodConfig, UNAPPLIED_ANNOTATION, type OciSpec } from '../../server/oci/spec.js';

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8'));
const podmanSpec = (): OciSpec => fixture('podman-config.json');
const ID = 'a'.repeat(64);
const map = (spec: unknown) => ociToPodConfig(spec, { id: ID, bundle: '/b' });

function refusal(spec: unknown): EngineError {
  try {
    map(spec);
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    return err as EngineError;
  }
  throw new Error('not refused');
}

/** podman's spec with `edit` applied. */
function edited(edit: (s: OciSpec & Record<string, any>) => void): OciSpec {
  const s = podmanSpec() as OciSpec & Record<string, any>;
  edit(s);
  return s;
}

describe("podman's config.json", () => {
  const spec = podmanSpec();
  const { config, vmProvided } = map(spec);

  it('becomes one valid QEMU pod on the kata agent, named by the OCI ID, holding one container', () => {
    const pod = PodConfigSchema.parse(config);
    expect(pod).toMatchObject({ id: ID, hostname: spec.hostname, hypervisorType: 'qemu', agentType: 'kata', proxyType: 'kataProxy', shimType: 'kataShim', networkModel: 'noop', vmConfig: { vcpus: 0, memory: 0 } });
    expect(pod.networkConfig.netNsPath).toBe('');
    expect(pod.containers).toHaveLength(1);
    const c = pod.containers[0]!;
    expect(c).toMatchObject({ id: ID, rootFs: spec.root.path, readonlyRootfs: false });
    expect(c.annotations).toMatchObject({ ...spec.annotations, [BUNDLE_ANNOTATION]: '/b' });
    expect(pod.annotations[UNAPPLIED_ANNOTATION]).toBe(vmProvided.join(', '));
  });

  it("maps the process: args, env, cwd, user, capabilities", () => {
    const cmd = CmdSchema.parse(config.containers![0]!.cmd);
    expect(cmd.args).toEqual(spec.process.args);
    expect(cmd.envs.map((e) => `${e.var}=${e.value}`)).toEqual(spec.process.env);
    expect(cmd).toMatchObject({ workDir: '/', user: '0', primaryGroup: '0', supplementaryGroups: [], console: '', noNewPrivileges: false });
    expect(cmd.capabilities).toEqual({ ...spec.process.capabilities, inheritable: [], ambient: [] });
  });

  it("binds podman's hosts, hostname and .containerenv files into the container; the rest is the guest's", () => {
    const mounts = config.containers![0]!.mounts!;
    expect(mounts.map((m) => [m.destination, m.type, m.options, m.readOnly])).toEqual([
      ['/etc/hosts', 'bind', [], false],
      ['/run/.containerenv', 'bind', [], false],
      ['/etc/hostname', 'bind', [], false],
    ]);
    expect(mounts.map((m) => m.source)).toEqual(['/etc/hosts', '/run/.containerenv', '/etc/hostname'].map((d) => spec.mounts!.find((m) => m.destination === d)!.source));
  });

  it('lists what the VM provides its own way, and nothing else is dropped', () => {
    expect(vmProvided).toEqual([
      'process.rlimits',
      'mounts.0 (proc at /proc)',
      'mounts.1 (tmpfs at /dev)',
      'mounts.2 (sysfs at /sys)',
      'mounts.3 (devpts at /dev/pts)',
      'mounts.4 (mqueue at /dev/mqueue)',
      'mounts.6 (/dev/shm)',
      'mounts.9 (cgroup at /sys/fs/cgroup)',
      'linux.cgroupsPath',
      'linux.seccomp',
      'linux.maskedPaths',
      'linux.readonlyPaths',
      'linux.namespaces.0 (pid: every container gets its own in the guest)',
      'linux.namespaces.2 (ipc: every container gets its own in the guest)',
      'linux.namespaces.3 (uts: every container gets its own in the guest)',
      'linux.namespaces.4 (mount: every container gets its own in the guest)',
      'linux.resources.devices',
      'linux.resources.pids',
    ]);
  });
});

describe('fields that map onto the pod', () => {
  it('a network namespace path: the CNM model on that netns', () => {
    const { config } = map(edited((s) => (s.linux!['namespaces'] = [{ type: 'network', path: '/run/netns/cni-1' }])));
    expect(config).toMatchObject({ networkModel: 'CNM', networkConfig: { netNsPath: '/run/netns/cni-1' } });
  });

  it('a memory limit sizes the VM (MiB, rounded up); a CPU quota gives quota/period vCPUs, rounded up', () => {
    const { config, vmProvided } = map(edited((s) => (s.linux!['resources'] = { memory: { limit: 300 * 2 ** 20 + 1, swap: 1 }, cpu: { quota: 150_000, period: 100_000, shares: 2 } })));
    expect(config.vmConfig).toEqual({ memory: 301, vcpus: 2 });
    expect(vmProvided).toEqual(expect.arrayContaining(['linux.resources.memory.swap', 'linux.resources.cpu.shares']));
  });

  it('prestart, poststart and poststop hooks run around the VM', () => {
    const hook = { path: '/usr/bin/true', args: ['true', 'x'], env: ['A=1'], timeout: 5 };
    const { config } = map(edited((s) => (s.hooks = { prestart: [hook], poststart: [hook], poststop: [{ path: '/bin/x' }] })));
    expect(config.hooks).toEqual({ preStartHooks: [hook], postStartHooks: [hook], postStopHooks: [{ path: '/bin/x', args: [], env: [], timeout: 0 }] });
  });

  it('root.readonly, a read-only bind, a tmpfs', () => {
    const { config } = map(
      edited((s) => {
        s.root.readonly = true;
        s.mounts = [
          { destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind', 'ro', 'nosuid'] },
          { destination: '/scratch', type: 'tmpfs', source: 'tmpfs', options: ['size=1m', 'rw'] },
        ];
      }),
    );
    expect(config.containers![0]!.readonlyRootfs).toBe(true);
    expect(config.containers![0]!.mounts).toEqual([
      { source: '/srv/data', destination: '/data', type: 'bind', options: ['nosuid'], readOnly: true },
      { source: 'tmpfs', destination: '/scratch', type: 'tmpfs', options: ['size=1m'], readOnly: false },
    ]);
  });
});

describe('a terminal', () => {
  it('process.terminal asks the guest for a pty, with stdin; consoleSize is the size it starts with', () => {
    const spec = edited((s) => Object.assign(s.process, { terminal: true, consoleSize: { height: 30, width: 100 } }));
    expect(CmdSchema.parse(map(spec).config.containers![0]!.cmd)).toMatchObject({ interactive: true, console: '/dev/console' });
    expect(ociTerminalOf(spec.process)).toEqual({ size: { rows: 30, columns: 100 } });
  });

  it('without consoleSize the pty keeps its own size; without terminal there is none, consoleSize or not', () => {
    expect(ociTerminalOf({ ...podmanSpec().process, terminal: true })).toEqual({ size: null });
    const cmd = CmdSchema.parse(map(podmanSpec()).config.containers![0]!.cmd);
    expect(cmd).toMatchObject({ interactive: false, console: '' });
    expect(ociTerminalOf({ ...podmanSpec().process, consoleSize: { height: 1, width: 1 } })).toBeNull();
  });
});

describe('fields that are refused, by name', () => {
  const cases: [string, (s: OciSpec & Record<string, any>) => void, string][] = [
    ['an unknown top-level field', (s) => (s['vm'] = {}), 'config.json vm:'],
    ['an unknown process field', (s) => (s.process['ioPriority'] = {}), 'process.ioPriority'],
    ['a umask other than 0022', (s) => (s.process.user.umask = 0o077), 'process.user.umask'],
    ['a domain name', (s) => (s.domainname = 'example'), 'domainname'],
    ['ociVersion 2', (s) => (s.ociVersion = '2.0.0'), 'ociVersion'],
    ['a user namespace', (s) => (s.linux!['namespaces'] = [{ type: 'user' }]), 'linux.namespaces.0'],
    ['joining a pid namespace', (s) => (s.linux!['namespaces'] = [{ type: 'pid', path: '/proc/1/ns/pid' }]), 'linux.namespaces.0.path'],
    ['uid mappings', (s) => (s.linux!['uidMappings'] = [{ containerID: 0, hostID: 1000, size: 1 }]), 'linux.uidMappings'],
    ['sysctls', (s) => (s.linux!['sysctl'] = { 'net.ipv4.ip_forward': '1' }), 'linux.sysctl'],
    ['host devices', (s) => (s.linux!['devices'] = [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229 }]), 'linux.devices'],
    ['an unknown linux field', (s) => (s.linux!['landlock'] = {}), 'linux.landlock'],
    ['an unknown resource', (s) => (s.linux!['resources'] = { gpu: { count: 1 } }), 'linux.resources.gpu'],
    ['an unknown memory field', (s) => (s.linux!['resources'] = { memory: { limit: 1, checkBeforeUpdate: true } }), 'linux.resources.memory.checkBeforeUpdate'],
    ['a createRuntime hook', (s) => (s.hooks = { createRuntime: [{ path: '/bin/x' }] }), 'hooks.createRuntime'],
    ['an overlay mount', (s) => (s.mounts = [{ destination: '/x', type: 'overlay', source: 'overlay' }]), 'mounts.0.type'],
    ['an id-mapped mount', (s) => (s.mounts = [{ destination: '/x', type: 'bind', source: '/y', uidMappings: [] }]), 'mounts.0.uidMappings'],
    ['a container joining a CRI sandbox', (s) => (s.annotations = { 'io.kubernetes.cri.container-type': 'container' }), 'annotations.io.kubernetes.cri.container-type'],
    ['a container joining a CRI-O sandbox', (s) => (s.annotations = { 'io.kubernetes.cri-o.ContainerType': 'container' }), 'annotations.io.kubernetes.cri-o.ContainerType'],
  ];
  it.each(cases)('%s', (_what, edit, field) => {
    const err = refusal(edited(edit));
    expect(err.code).toBe('NOT_SUPPORTED');
    expect(err.message).toContain(field);
  });

  it('…except for the containerd shim, whose daemon puts a CRI sandbox in one pod', () => {
    const spec = edited((s) => {
      s.annotations = { 'io.kubernetes.cri.container-type': 'container', 'io.kubernetes.cri.sandbox-id': 'sb' };
      s.linux!['namespaces'] = [{ type: 'network', path: '/proc/7/ns/net' }, { type: 'ipc', path: '/proc/7/ns/ipc' }];
    });
    const { config, vmProvided } = ociToPodConfig(spec, { id: ID, bundle: '/b', inSandbox: true });
    expect(config.containers![0]!.annotations).toMatchObject({ 'io.kubernetes.cri.sandbox-id': 'sb' });
    expect(vmProvided).toContain('linux.namespaces.1 (ipc: every container gets its own in the guest)');
  });

  it('a malformed spec is INVALID_CONFIG naming the field', () => {
    const err = refusal(edited((s) => ((s.process as any).args = [])));
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.message).toContain('args');
  });
});

describe("an exec's process.json", () => {
  it("podman's maps onto a Cmd", () => {
    const p = fixture('podman-exec-process.json');
    const vmProvided: string[] = [];
    const cmd = CmdSchema.parse(ociProcessToCmd(p, vmProvided, ''));
    expect(cmd).toMatchObject({ args: ['echo', 'hi'], workDir: '/', user: '0', primaryGroup: '0', detach: true });
    expect(cmd.envs.map((e) => e.var)).toEqual(['PATH', 'TERM', 'container', 'HOME']);
    expect(vmProvided).toEqual(['rlimits']);
  });

  it('additional gids, noNewPrivileges; an env entry without "=" is INVALID_CONFIG', () => {
    const base = { args: ['id'], cwd: '/tmp', user: { uid: 1000, gid: 100, additionalGids: [10, 20] }, noNewPrivileges: true };
    expect(ociProcessToCmd(base)).toMatchObject({ user: '1000', primaryGroup: '100', supplementaryGroups: ['10', '20'], workDir: '/tmp', noNewPrivileges: true });
    expect(() => ociProcessToCmd({ ...base, env: ['NOPE'] })).toThrow(/env\.0/);
  });
});
