// The container form as plain values (what the inputs hold) and its pure mapping to the engine's
// ContainerConfig, validated by the shared ContainerConfigSchema. Also used for a pod's initial containers.
import { ContainerConfigSchema, type ContainerConfigInput } from '../../server/engine/types';
import { fieldErrorsOfZod, type FieldErrors } from './field-errors';
import { deviceOf, mountOf, type DeviceRow, type MountRow } from './storage-rows';
import { keyValueLines, keyValueRecord, listItems, splitWords } from './text-parsers';

/** The console device a TTY process gets, as the CLI's --tty gives it. */
export const TTY_CONSOLE = '/dev/console';

export const CAPABILITY_SETS = ['bounding', 'effective', 'inheritable', 'permitted', 'ambient'] as const;
export type CapabilitySet = (typeof CAPABILITY_SETS)[number];

export interface ContainerFormValues {
  id: string;
  rootFs: string;
  readonlyRootfs: boolean;
  /** Shell-like: `/bin/sh -c "sleep 1"`. */
  command: string;
  /** KEY=value lines. */
  env: string;
  workDir: string;
  user: string;
  primaryGroup: string;
  /** Comma- or space-separated. */
  supplementaryGroups: string;
  /** All empty means the runtime's default set. */
  capabilities: Record<CapabilitySet, string>;
  noNewPrivileges: boolean;
  mounts: MountRow[];
  devices: DeviceRow[];
  /** key=value lines. */
  annotations: string;
  tty: boolean;
}

export const KEEP_RUNNING_COMMAND = '/bin/sh -c "while true; do sleep 1; done"';

export function defaultContainerValues(rootFs: string, id = 'c1'): ContainerFormValues {
  return {
    id,
    rootFs,
    readonlyRootfs: false,
    command: KEEP_RUNNING_COMMAND,
    env: 'PATH=/bin:/sbin:/usr/bin:/usr/sbin',
    workDir: '/',
    user: '',
    primaryGroup: '',
    supplementaryGroups: '',
    capabilities: { bounding: '', effective: '', inheritable: '', permitted: '', ambient: '' },
    noNewPrivileges: false,
    mounts: [],
    devices: [],
    annotations: '',
    tty: false,
  };
}

function capabilitiesOf(sets: Record<CapabilitySet, string>) {
  if (CAPABILITY_SETS.every((s) => sets[s].trim() === '')) return undefined;
  return Object.fromEntries(CAPABILITY_SETS.map((s) => [s, listItems(sets[s])]));
}

export function toContainerConfig(v: ContainerFormValues): ContainerConfigInput {
  return {
    id: v.id.trim(),
    rootFs: v.rootFs.trim(),
    readonlyRootfs: v.readonlyRootfs,
    cmd: {
      args: splitWords(v.command),
      envs: keyValueLines(v.env).map(([name, value]) => ({ var: name, value })),
      workDir: v.workDir.trim() || '/',
      user: v.user.trim(),
      primaryGroup: v.primaryGroup.trim(),
      supplementaryGroups: listItems(v.supplementaryGroups),
      noNewPrivileges: v.noNewPrivileges,
      capabilities: capabilitiesOf(v.capabilities),
      ...(v.tty ? { interactive: true, console: TTY_CONSOLE } : {}),
      // The console reaches a process's stdio through attach, never through the server's own stdio.
      detach: true,
    },
    annotations: keyValueRecord(v.annotations),
    mounts: v.mounts.map(mountOf),
    deviceInfos: v.devices.map(deviceOf),
  };
}

export type Validation<T> = { ok: true; config: T; errors: FieldErrors } | { ok: false; errors: FieldErrors };

export function validateContainer(v: ContainerFormValues): Validation<ContainerConfigInput> {
  const config = toContainerConfig(v);
  const result = ContainerConfigSchema.safeParse(config);
  return result.success ? { ok: true, config, errors: {} } : { ok: false, errors: fieldErrorsOfZod(result.error) };
}
