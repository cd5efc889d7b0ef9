// Volumes, mounts and devices as form rows (every cell a string or a flag, as the inputs hold them)
// and their pure mapping to the engine's shapes. Lenient on purpose: the shared zod schemas
// (VolumeSchema, MountSchema, DeviceInfoSchema) say what is wrong, on the row's own field.
import type { ContainerConfigInput, PodConfigInput } from '../../server/engine/types';
import { listItems, octal, optionalNumber } from './text-parsers';

type VolumeInput = NonNullable<PodConfigInput['volumes']>[number];
type MountInput = NonNullable<ContainerConfigInput['mounts']>[number];
type DeviceInput = NonNullable<ContainerConfigInput['deviceInfos']>[number];

export interface VolumeRow {
  mountTag: string;
  hostPath: string;
}
export interface MountRow {
  source: string;
  destination: string;
  /** Empty means bind. */
  type: string;
  /** Comma- or space-separated mount options (`ro` there is read-only too). */
  options: string;
  readOnly: boolean;
}
export interface DeviceRow {
  hostPath: string;
  devType: string;
  major: string;
  minor: string;
  containerPath: string;
  /** Octal, e.g. 0666; empty means the schema's default. */
  fileMode: string;
  uid: string;
  gid: string;
}

export const BLANK_VOLUME: VolumeRow = { mountTag: '', hostPath: '' };
export const BLANK_MOUNT: MountRow = { source: '', destination: '', type: 'bind', options: '', readOnly: false };
export const BLANK_DEVICE: DeviceRow = { hostPath: '', devType: 'c', major: '', minor: '', containerPath: '', fileMode: '', uid: '', gid: '' };

export const DEVICE_TYPES = ['c', 'b', 'u', 'p'] as const;
/** `bind` shares host data; the rest are made inside the guest (server/engine/storage.ts). */
export const MOUNT_TYPES = ['bind', 'tmpfs', 'ramfs', 'proc', 'sysfs', 'devpts', 'mqueue', 'cgroup', 'cgroup2'] as const;

export const volumeOf = (r: VolumeRow): VolumeInput => ({ mountTag: r.mountTag.trim(), hostPath: r.hostPath.trim() });

export const mountOf = (r: MountRow): MountInput => ({
  source: r.source.trim(),
  destination: r.destination.trim(),
  type: r.type.trim() || 'bind',
  options: listItems(r.options),
  readOnly: r.readOnly,
});

/** A number cell left empty takes the schema's default; anything else must be one (NaN is named by the schema). */
function numbers(cells: Partial<Record<'major' | 'minor' | 'fileMode' | 'uid' | 'gid', number | undefined>>) {
  return Object.fromEntries(Object.entries(cells).filter(([, v]) => v !== undefined)) as Partial<Record<keyof typeof cells, number>>;
}

export function deviceOf(r: DeviceRow): DeviceInput {
  const mode = r.fileMode.trim();
  return {
    hostPath: r.hostPath.trim(),
    devType: r.devType as DeviceInput['devType'],
    containerPath: r.containerPath.trim(),
    ...numbers({ major: optionalNumber(r.major), minor: optionalNumber(r.minor), fileMode: mode === '' ? undefined : octal(mode), uid: optionalNumber(r.uid), gid: optionalNumber(r.gid) }),
  };
}
