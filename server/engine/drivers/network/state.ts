// What the network driver persists (pod.runtime.network) and reads back, always through zod: a
// fresh process after a crash has nothing else to go on.
import { z } from 'zod';
import { EngineError, formatZodError } from '../../errors.js';
import { GuestAddressSchema, GuestRouteSchema, GuestNetworkSchema } from '../devices.js';
import type { DriverState, Json } from '../types.js';

export const JsonSchema: z.ZodType<Json> = z.lazy(() =>
  z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(JsonSchema), z.record(z.string(), JsonSchema)]),
);
const JsonObject = z.record(z.string(), JsonSchema);

const Port = z.number().int().min(1).max(65535);
/** One entry of CNI's `portMappings` capability (what the portmap plugin reads). */
export const PortMappingSchema = z.strictObject({ hostPort: Port, containerPort: Port, protocol: z.enum(['tcp', 'udp', 'sctp']).default('tcp') });
export type PortMapping = z.infer<typeof PortMappingSchema>;

/**
 * One CNI ADD (one interface), written before the ADD runs and again with its result, so that DEL
 * can always be given the same list and the ADD result as prevResult, even if the config changed since.
 */
export const AttachmentSchema = z.object({
  network: z.string(),
  /** The conflist file it came from, for messages. */
  file: z.string(),
  containerId: z.string(),
  ifname: z.string(),
  netns: z.string(),
  /** The network list as loaded (name, cniVersion, plugins). */
  list: JsonObject,
  runtimeConfig: JsonObject,
  /** The raw spec 1.0.0 ADD result, exactly as the last plugin printed it; null until ADD succeeded. */
  result: JsonObject.nullable(),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

const Mac = z.string().regex(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/);

/** In both models the veth moves to `vethMac` (upstream's MAC swap) and the guest NIC keeps the original. */
export const InterworkingSchema = z.discriminatedUnion('model', [
  z.object({ model: z.literal('macvtap'), link: z.string(), ifindex: z.number().int(), devicePath: z.string(), vethMac: Mac }),
  z.object({ model: z.literal('bridged'), tap: z.string(), bridge: z.string(), vethMac: Mac }),
]);
export type Interworking = z.infer<typeof InterworkingSchema>;

/** One link of the pod's netns and the guest NIC that stands in for it. */
export const EndpointSchema = z.object({
  /** The link in the netns (CNI's veth, or the scanned link). */
  hostIfname: z.string(),
  /** Guest name (eth0, …) and NIC id. */
  guestName: z.string(),
  /** The link's original MAC: the guest keeps it. */
  mac: Mac,
  mtu: z.number().int(),
  addresses: z.array(GuestAddressSchema),
  routes: z.array(GuestRouteSchema),
  /** Someone else's link (CNM): remove() puts its MAC, addresses and routes back. */
  restore: z.boolean(),
  interworking: InterworkingSchema,
});
export type Endpoint = z.infer<typeof EndpointSchema>;

export const NetnsStateSchema = z.object({
  path: z.string(),
  /** The `ip netns` name when Podvisor created it, else ''. */
  name: z.string(),
  created: z.boolean(),
});
export type NetnsState = z.infer<typeof NetnsStateSchema>;

export const NetworkStateSchema = z.object({
  /** null before prepare (or when prepare failed). */
  netns: NetnsStateSchema.nullable().default(null),
  cniNetwork: z.string().default(''),
  attachments: z.array(AttachmentSchema).default([]),
  endpoints: z.array(EndpointSchema).default([]),
  portMappings: z.array(PortMappingSchema).default([]),
  dns: GuestNetworkSchema.shape.dns.default({ nameservers: [], search: [], domain: '' }),
});
export type NetworkState = z.infer<typeof NetworkStateSchema>;

export function parseNetworkState(raw: DriverState): NetworkState {
  const parsed = NetworkStateSchema.safeParse(raw);
  if (!parsed.success) throw new EngineError('INTERNAL', `the persisted network state is unreadable: ${formatZodError(parsed.error)}`);
  return parsed.data;
}

/** Every field of NetworkState is plain JSON (no undefined), so the cast only narrows the index type. */
export const toDriverState = (s: NetworkState): DriverState => NetworkStateSchema.parse(s) as unknown as DriverState;
