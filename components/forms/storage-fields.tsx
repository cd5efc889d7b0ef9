'use client';
// The storage editors of the create forms: a pod's volumes, and each container's mounts and devices.
import { RowsField, type RowColumn } from './rows-field';
import { BLANK_DEVICE, BLANK_MOUNT, BLANK_VOLUME, DEVICE_TYPES, MOUNT_TYPES } from './storage-rows';

const VOLUME_COLUMNS: RowColumn[] = [
  { key: 'mountTag', label: 'tag', placeholder: 'data' },
  { key: 'hostPath', label: 'host path', placeholder: '/srv/data' },
];
const MOUNT_COLUMNS: RowColumn[] = [
  { key: 'source', label: 'source', placeholder: 'volume tag, /host/path or tmpfs' },
  { key: 'destination', label: 'destination', placeholder: '/data' },
  { key: 'type', label: 'type', kind: 'select', options: MOUNT_TYPES },
  { key: 'options', label: 'options', placeholder: 'size=16m, nosuid' },
  { key: 'readOnly', label: 'read-only', kind: 'checkbox' },
];
const DEVICE_COLUMNS: RowColumn[] = [
  { key: 'hostPath', label: 'host path', placeholder: '/dev/loop3' },
  { key: 'devType', label: 'type', kind: 'select', options: DEVICE_TYPES },
  { key: 'major', label: 'major', placeholder: '7' },
  { key: 'minor', label: 'minor', placeholder: '3' },
  { key: 'containerPath', label: 'container path', placeholder: '/dev/xvda' },
  { key: 'fileMode', label: 'mode', placeholder: '0666' },
  { key: 'uid', label: 'uid', placeholder: '0' },
  { key: 'gid', label: 'gid', placeholder: '0' },
];

type Editor = Omit<Parameters<typeof RowsField>[0], 'path' | 'errorPath'> & { key: string; errorKey: string };

const EDITORS = {
  volumes: {
    key: 'volumes',
    errorKey: 'volumes',
    legend: 'Volumes',
    hint: 'Host directories shared into the VM by tag; a container mount whose source is the tag binds from it.',
    item: 'Volume',
    columns: VOLUME_COLUMNS,
    blank: { ...BLANK_VOLUME },
  },
  mounts: {
    key: 'mounts',
    errorKey: 'mounts',
    legend: 'Mounts',
    hint: "bind: a volume's tag or an allowed host path; other types are made inside the VM with their options. Read-only is enforced in the guest.",
    item: 'Mount',
    columns: MOUNT_COLUMNS,
    blank: { ...BLANK_MOUNT },
  },
  devices: {
    key: 'devices',
    errorKey: 'deviceInfos',
    legend: 'Devices',
    hint: "c/u character, b block, p FIFO; the host path must match the admin's device allowlist. Mode in octal.",
    item: 'Device',
    columns: DEVICE_COLUMNS,
    blank: { ...BLANK_DEVICE },
  },
} satisfies Record<string, Editor>;

/** `prefix` is "" for the pod's volumes, "" or "containers.<i>." for a container's mounts and devices (as ContainerFields' own). */
export function StorageField({ kind, prefix = '' }: { kind: keyof typeof EDITORS; prefix?: string }) {
  const { key, errorKey, ...editor } = EDITORS[kind];
  return <RowsField path={`${prefix}${key}`} errorPath={`${prefix}${errorKey}`} {...editor} />;
}
