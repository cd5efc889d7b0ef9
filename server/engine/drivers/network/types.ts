// A network driver gives the pod a network namespace, connects it (CNI plugins or the links someone
// else made, CNM) and contributes the VM's NICs and what the guest agent must configure.
import type { NetworkModel } from '../../types.js';
import type { GuestNetwork, VmDevice } from '../devices.js';
import type { DriverState, PodContext } from '../types.js';
import type { PortMapping } from './state.js';

export interface NetworkConnection {
  /** The netns QEMU runs in (VmLaunchPlan.netNsPath); '' for the caller's own. */
  netNsPath: string;
  /** NIC devices for the VM (kind 'nic'). */
  devices: VmDevice[];
  /** What the guest agent configures. */
  guest: GuestNetwork;
}

export interface NetworkInterfaceInfo {
  /** Guest name (eth0, …). */
  name: string;
  /** The link in the pod's netns it stands for (the CNI veth, or the scanned link). */
  hostInterface: string;
  mac: string;
  mtu: number;
  /** CIDR notation, IPv4 and IPv6. */
  addresses: string[];
  /** Gateways of this interface's default routes, one per family at most. */
  gateways: string[];
  model: 'macvtap' | 'bridged';
  /** Always false: this driver never asks for /dev/vhost-net (the hypervisor's VmEndpoints has the last word). */
  vhost: boolean;
}

export interface NetworkInfo {
  model: NetworkModel;
  netNsPath: string;
  /** Podvisor created the netns (and deletes it with the network). */
  netNsCreated: boolean;
  /** The CNI network name; '' for CNM and noop. */
  cniNetwork: string;
  interfaces: NetworkInterfaceInfo[];
  portMappings: PortMapping[];
}

export interface Network {
  /** Creates (or joins, if networkConfig.netNsPath is given) the pod's netns; returns state to persist. Runs before prestart hooks. */
  prepare(pod: PodContext): Promise<DriverState>;
  /** Inside the netns: CNI ADD (or a scan, for CNM), then the interworking links. Cleans up after itself when it fails. */
  connect(pod: PodContext): Promise<{ state: DriverState; connection: NetworkConnection }>;
  /** Undoes prepare and connect, in reverse. Idempotent; works from persisted state alone and from partial state. */
  remove(pod: PodContext): Promise<void>;
  /** For PodStatus; null when the pod has no network of its own (noop) or was never prepared. */
  info(pod: PodContext): NetworkInfo | null;
}
