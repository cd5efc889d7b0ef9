// The typed contract between drivers. Before boot, the agent, network (and later storage) drivers
// each contribute the devices they need on the VM; the hypervisor turns them into its own command
// line and hands back typed endpoints. No driver reads another driver's state by key.
import { z } from 'zod';
import { GuestBlockSchema as GuestBlockWire } from '../../guest/protocol/devices.js';
import { MacSchema as Mac } from '../../guest/protocol/network.js';

/** How a NIC reaches the host: a tap QEMU opens by name in the pod's netns, or a macvtap's char device. */
export const NicBackendSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('tap'), ifname: z.string().min(1).max(15) }),
  /** /dev/tapN of a macvtap: the hypervisor opens it once per queue and passes the fds. */
  z.object({ type: z.literal('macvtap'), devicePath: z.string().startsWith('/dev/') }),
]);
export type NicBackend = z.infer<typeof NicBackendSchema>;

export const VmDeviceSchema = z.discriminatedUnion('kind', [
  /**
   * A virtio-serial port the guest finds by name. `socket`: the endpoint is a host unix socket
   * (one client at a time; what the guest sends while nobody is connected waits in the guest).
   * `file`: QEMU appends what the guest sends to a file and reads what it gets from a FIFO, so no
   * host process has to hold the port, several can follow it, and nothing sent is dropped.
   * Absent: socket.
   */
  z.object({ kind: z.literal('serialPort'), name: z.string().min(1), backend: z.enum(['socket', 'file']).optional() }),
  /** A host directory the guest mounts by tag. */
  z.object({ kind: z.literal('share'), tag: z.string().min(1).max(31), hostPath: z.string().startsWith('/'), readOnly: z.boolean().default(false) }),
  /** A virtio-net NIC; `mac` is what the guest sees (the CNI MAC, kept through the interworking model). */
  z.object({
    kind: z.literal('nic'),
    id: z.string().regex(/^[a-z][a-z0-9]{0,14}$/),
    mac: Mac,
    mtu: z.number().int().min(68).max(65535),
    queues: z.number().int().min(1).max(8).default(1),
    backend: NicBackendSchema,
  }),
  /** A PCI-PCI bridge whose slots take hotplugged disks (HypervisorConfig.defaultBridges of them). */
  z.object({ kind: z.literal('pciBridge'), index: z.number().int().min(0).max(4) }),
  /** The virtio-scsi controller hotplugged disks go on when blockDeviceDriver is virtio-scsi. */
  z.object({ kind: z.literal('scsiController') }),
]);
export type VmDevice = z.infer<typeof VmDeviceSchema>;
export type VmDeviceInput = z.input<typeof VmDeviceSchema>;

/** How a share reaches the guest: virtio-fs (a virtiofsd per share) or 9p (inside QEMU). */
export const SharedFsSchema = z.enum(['virtio-fs', 'virtio-9p']);
export type SharedFs = z.infer<typeof SharedFsSchema>;

/** What the hypervisor hands back for the devices it was given. */
export const VmEndpointsSchema = z.object({
  /** Serial port name → host unix socket path (socket-backed ports). */
  serialPorts: z.record(z.string(), z.string()),
  /** Serial port name → the file QEMU appends the guest's output to and the FIFO it reads input from (file-backed ports). */
  serialFiles: z.record(z.string(), z.object({ output: z.string(), input: z.string() })).optional(),
  /** NIC id → what the guest sees; `vhost` false means userspace virtio-net (no /dev/vhost-net). */
  nics: z.record(z.string(), z.object({ mac: Mac, vhost: z.boolean() })),
  /** Share tag → its transport, which decides the guest's fstype. Records from before virtio-fs had only 9p. */
  shares: z.record(z.string(), SharedFsSchema).default({}),
});
export type VmEndpoints = z.infer<typeof VmEndpointsSchema>;

/** Everything the hypervisor is given for one boot besides the pod's own config. */
export interface VmLaunchPlan {
  /** The netns QEMU runs in; '' for the caller's own. */
  netNsPath: string;
  devices: VmDevice[];
  /** Why this VM is cold-booted instead of cloned from a template (templates/boot.ts), for `pod status`. */
  coldReason?: string;
}

/** How a VM came up: cloned from a template (its key) or cold-booted (and why not cloned), with its stages' times. */
export const VmBootSchema = z.object({
  mode: z.enum(['cloned', 'cold']),
  template: z.string().nullable(),
  reason: z.string().nullable(),
  /** How the guest agent was started: from its V8 snapshot (which) or the plain bundle and why (qemu/agent-snapshot.ts). */
  agent: z.string().nullable().default(null),
  stages: z.array(z.object({ name: z.string(), ms: z.number() })),
});
export type VmBoot = z.infer<typeof VmBootSchema>;

// What the guest is told about its network lives with the wire protocol (the agent validates it too).
export {
  EMPTY_GUEST_NETWORK,
  GuestAddressSchema,
  GuestInterfaceSchema,
  GuestNetworkSchema,
  GuestRouteSchema,
  IpFamilySchema,
  type GuestAddress,
  type GuestInterface,
  type GuestNetwork,
  type GuestRoute,
} from '../../guest/protocol/network.js';

// Block hotplug (storage): a host file or block device plugged into the running VM, and where the
// guest finds it. The hypervisor hands back a PluggedBlock; whoever asked keeps it (the kata agent
// in the container's state) and gives it back to unplug, so a restarted engine unplugs the same one.
export { GuestBlockSchema, type GuestBlock } from '../../guest/protocol/devices.js';

export const BlockSourceSchema = z.object({
  path: z.string().startsWith('/'),
  /** raw for block devices and plain images; qcow2 as its header says. */
  format: z.enum(['raw', 'qcow2']),
  readOnly: z.boolean().default(false),
});
export type BlockSource = z.infer<typeof BlockSourceSchema>;

export const PluggedBlockSchema = z.object({
  /** QEMU's device id; the drive's node name is derived from it. */
  id: z.string().regex(/^pv[0-9a-f]{8}-[a-z0-9]{2,8}$/),
  source: z.string(),
  guest: GuestBlockWire,
});
export type PluggedBlock = z.infer<typeof PluggedBlockSchema>;
