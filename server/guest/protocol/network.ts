// What the host tells the guest agent about the pod's network: each NIC (found by MAC), its
// addresses of both families, the routes and DNS. Shared by the engine's network drivers and the agent.
import { z } from 'zod';

export const MacSchema = z.string().regex(/^([0-9a-f]{2}:){5}[0-9a-f]{2}$/, 'must be a lower-case MAC address');

export const IpFamilySchema = z.enum(['ipv4', 'ipv6']);
export const GuestAddressSchema = z.object({ family: IpFamilySchema, address: z.string().min(1), prefixLength: z.number().int().min(0).max(128) });
export const GuestInterfaceSchema = z.object({
  /** The name the guest gives the NIC it finds by `mac` (eth0, eth1, …). */
  name: z.string().regex(/^[a-z][a-z0-9]{0,14}$/),
  mac: MacSchema,
  mtu: z.number().int().min(68).max(65535),
  addresses: z.array(GuestAddressSchema),
});
export const GuestRouteSchema = z.object({
  family: IpFamilySchema,
  /** CIDR; '' is the default route of the family. */
  destination: z.string(),
  /** '' for an on-link route. */
  gateway: z.string(),
  /** Guest interface name. */
  device: z.string(),
});
export const GuestNetworkSchema = z.object({
  interfaces: z.array(GuestInterfaceSchema),
  routes: z.array(GuestRouteSchema),
  dns: z.object({ nameservers: z.array(z.string()), search: z.array(z.string()), domain: z.string() }),
});
export type GuestAddress = z.infer<typeof GuestAddressSchema>;
export type GuestInterface = z.infer<typeof GuestInterfaceSchema>;
export type GuestRoute = z.infer<typeof GuestRouteSchema>;
export type GuestNetwork = z.infer<typeof GuestNetworkSchema>;

export const EMPTY_GUEST_NETWORK: GuestNetwork = { interfaces: [], routes: [], dns: { nameservers: [], search: [], domain: '' } };
