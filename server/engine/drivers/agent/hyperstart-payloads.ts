// What the hyperstart driver sends, built from the engine's types (pure, unit-tested): a Cmd as a
// hyperstart process, the network contract as STARTPOD's interfaces and routes (netMask carries
// the prefix length and "default" the 0/0 route, as virtcontainers sends them).
import { constants } from 'node:os';
import type { HyperProcess, StartPod } from '../../../guest/protocol/hyperstart/payloads.js';
import { EngineError } from '../../errors.js';
import type { Cmd } from '../../types.js';
import type { GuestNetwork } from '../devices.js';

/** The process of a NEWCONTAINER / EXECCMD; `stdio`/`stderr` are filled in by the proxy from the token. */
export function hyperProcessOf(id: string, cmd: Cmd): Omit<HyperProcess, 'stdio' | 'stderr'> {
  return {
    id,
    user: cmd.user,
    group: cmd.primaryGroup,
    additionalGroups: cmd.supplementaryGroups,
    terminal: cmd.interactive && cmd.console !== '',
    args: cmd.args,
    envs: cmd.envs.map((e) => ({ env: e.var, value: e.value })),
    workdir: cmd.workDir || '/',
    noNewPrivileges: cmd.noNewPrivileges,
    ...(cmd.capabilities ? { capabilities: cmd.capabilities } : {}),
  };
}

export function startPodOf(hostname: string, network: GuestNetwork, shareFsType: StartPod['shareFsType']): Omit<StartPod, 'containers'> {
  return {
    hostname: hostname.slice(0, 64),
    interfaces: network.interfaces.map((i) => ({
      newDeviceName: i.name,
      ipAddresses: i.addresses.map((a) => ({ ipAddress: a.address, netMask: String(a.prefixLength) })),
      mtu: i.mtu,
      macAddr: i.mac,
    })),
    routes: network.routes.map((r) => ({ dest: r.destination || 'default', ...(r.gateway ? { gateway: r.gateway } : {}), ...(r.device ? { device: r.device } : {}) })),
    shareDir: HYPER_SHARE_TAG,
    shareFsType,
  };
}

/** The share tag of the pod's shared dir, as virtcontainers' hyperstart agent names it. */
export const HYPER_SHARE_TAG = 'hyperShared';

/** A signal name or number as the number KILLCONTAINER carries. */
export function signalNumberOf(signal: string): number {
  const n = /^\d+$/.test(signal) ? Number(signal) : constants.signals[(signal.startsWith('SIG') ? signal : `SIG${signal}`) as NodeJS.Signals];
  if (!n || n < 1 || n > 64) throw new EngineError('INVALID_ARGUMENT', `unknown signal ${signal}`, { signal });
  return n;
}
