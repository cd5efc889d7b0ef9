// The pod's network as the console shows it: addresses without their prefix (what one pastes into
// curl or ssh), port mappings as host:port → container port/protocol, and each interface's vhost
// state as the hypervisor reports it. Pure, shared by the pod page and the pod list.
import type { NetworkInfo, NetworkInterfaceInfo } from '../../server/engine/drivers/network/types';
import type { PodStatus } from '../../server/engine/types';

type PortMapping = NetworkInfo['portMappings'][number];

/** "10.209.0.5/24" → "10.209.0.5". */
export const bareAddress = (cidr: string) => cidr.split('/')[0] ?? cidr;
const isIpv4 = (address: string) => !address.includes(':');

/** Every address of every interface, IPv4 first, in interface order within a family. */
export function podAddresses(network: NetworkInfo | null): string[] {
  const all = (network?.interfaces ?? []).flatMap((i) => i.addresses.map(bareAddress));
  return [...all.filter(isIpv4), ...all.filter((a) => !isIpv4(a))];
}

/** The pod list's Address column: the first IPv4 address, '' when the pod has none. */
export const firstIpv4 = (network: NetworkInfo | null) => podAddresses(network).find(isIpv4) ?? '';

/** The portmap plugin listens on every host address, hence "host". */
export const portMappingLabel = (p: PortMapping) => `host:${p.hostPort} → ${p.containerPort}/${p.protocol}`;

export interface InterfaceView extends NetworkInterfaceInfo {
  /** "macvtap", or "bridged · userspace virtio-net (no vhost)". */
  interworking: string;
}

/** The network driver never asks for vhost; the VM's NIC of the same MAC has the hypervisor's last word. */
export function interfacesOf(status: PodStatus): InterfaceView[] {
  return (status.network?.interfaces ?? []).map((i) => {
    const vhost = status.vm?.nics.find((n) => n.mac === i.mac)?.vhost ?? i.vhost;
    return { ...i, vhost, interworking: vhost ? i.model : `${i.model} · userspace virtio-net (no vhost)` };
  });
}

/** Why a pod shows no network: its model has none, or it is not connected (stopped, or never started). */
export function noNetworkReason(status: PodStatus, networkModel: string | undefined): string {
  if (networkModel === 'noop') return 'No network (noop model): nothing reaches the pod and it reaches nothing.';
  if (status.state === 'stopped') return 'Stopped: the network is removed, and set up again when the pod starts.';
  return networkModel ? `Not connected yet (${networkModel}).` : 'Loading…';
}
