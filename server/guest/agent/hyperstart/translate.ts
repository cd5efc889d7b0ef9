// hyperstart payloads → what the agent's own container runtime takes (the same ProcessSpec,
// ContainerMount and GuestNetwork the kata protocol carries). Pure, so it is unit-tested alone.
import type { ContainerMountInput, ProcessSpec, Storage } from '../../protocol/ops.js';
import type { GuestNetwork } from '../../protocol/network.js';
import type { HyperProcess, NewContainer, StartPod } from '../../protocol/hyperstart/payloads.js';

export function processSpecOf(p: HyperProcess): ProcessSpec {
  return {
    args: p.args,
    env: p.envs.map((e) => `${e.env}=${e.value}`),
    cwd: p.workdir,
    user: p.user,
    primaryGroup: p.group,
    supplementaryGroups: p.additionalGroups,
    noNewPrivileges: p.noNewPrivileges,
    ...(p.capabilities ? { capabilities: p.capabilities } : {}),
    terminal: p.terminal,
    // A process with a stdio seq gets its stdin from stream frames on that seq.
    stdin: p.stdio > 0,
  };
}

/** fsmap entries name a file the host put in the share dir; they become bind mounts from there. */
export function mountsOf(c: NewContainer): ContainerMountInput[] {
  return c.fsmap.map((m) => ({ destination: m.path, type: 'bind', source: { kind: 'shared', name: m.source }, options: ['rbind', m.readOnly ? 'ro' : 'rw'] }));
}

const familyOf = (address: string) => (address.includes(':') ? 'ipv6' : 'ipv4') as 'ipv4' | 'ipv6';

/** Interfaces are found by MAC, as with kata; `netMask` carries the prefix length, as virtcontainers sends it. */
export function networkOf(pod: StartPod): GuestNetwork {
  return {
    interfaces: pod.interfaces.map((i) => ({
      name: i.newDeviceName,
      mac: (i.macAddr ?? '').toLowerCase(),
      mtu: i.mtu ?? 1500,
      addresses: i.ipAddresses.map((a) => ({ family: familyOf(a.ipAddress), address: a.ipAddress, prefixLength: Number(a.netMask) })),
    })),
    routes: pod.routes.map((r) => ({
      family: familyOf(r.gateway || (r.dest === 'default' ? '0.0.0.0' : r.dest)),
      destination: r.dest === 'default' ? '' : r.dest,
      gateway: r.gateway ?? '',
      device: r.device ?? '',
    })),
    dns: { nameservers: [], search: [], domain: '' },
  };
}

/** The share dir, by its tag, where the kata protocol's containers expect it. */
export function shareStorageOf(pod: StartPod, mountPoint: string): Storage {
  const virtiofs = pod.shareFsType === 'virtiofs';
  // The options the kata driver sends for the same transports (kata-mounts.ts).
  return { source: pod.shareDir, fstype: pod.shareFsType, options: virtiofs ? ['nodev'] : ['trans=virtio', 'version=9p2000.L', 'msize=524288', 'cache=mmap', 'nodev'], mountPoint };
}
