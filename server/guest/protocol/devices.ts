// Devices the host hands a container, as the guest agent must find and create them. A block
// device is named by where it sits on the guest's PCI tree (the host chose the slot), never by a
// guessed /dev/vdX: the guest kernel names disks in the order it probes them.
import { z } from 'zod';

/** Slots from the root bus down, two hex digits each: "1f/03" is slot 3 on the bridge at root slot 0x1f. */
export const PciPathSchema = z.string().regex(/^[0-9a-f]{2}(\/[0-9a-f]{2}){0,3}$/, 'must be PCI slots in hex, root first ("1f/03")');

/** Where the guest finds one plugged block device. */
export const GuestBlockSchema = z.object({
  driver: z.enum(['virtio-blk', 'virtio-scsi']),
  /** virtio-blk: the disk's own function; virtio-scsi: the controller's. */
  pciPath: PciPathSchema,
  /** virtio-scsi only: the disk's LUN on target 0 of the controller. */
  lun: z.number().int().min(0).max(255).nullable(),
  /** What the hypervisor set as the disk's serial (virtio-blk shows it in /sys/block/X/serial): checked, not searched for. */
  serial: z.string().regex(/^[A-Za-z0-9-]{1,20}$/),
});
export type GuestBlock = z.infer<typeof GuestBlockSchema>;

const ContainerPathSchema = z.string().startsWith('/').refine((p) => p.split('/').every((s) => s !== '.' && s !== '..'), 'must not contain "." or ".." components');
const Owner = { fileMode: z.number().int().min(0).max(0o7777), uid: z.number().int().min(0), gid: z.number().int().min(0) };

/** One node to create in the container, as a deviceInfo asks. */
export const ContainerDeviceSchema = z.discriminatedUnion('type', [
  /** The plugged disk, whatever numbers the guest kernel gave it. */
  z.object({ type: z.literal('b'), containerPath: ContainerPathSchema, block: GuestBlockSchema, ...Owner }),
  /** A character device the guest kernel itself has (/dev/null's 1:3): refused when it has none by these numbers. */
  z.object({ type: z.enum(['c', 'u']), containerPath: ContainerPathSchema, major: z.number().int().min(0), minor: z.number().int().min(0), ...Owner }),
  z.object({ type: z.literal('p'), containerPath: ContainerPathSchema, ...Owner }),
]);
export type ContainerDevice = z.infer<typeof ContainerDeviceSchema>;
