// The process and container flags shared by `pod create|run` (its one-container shortcut),
// `container create` and `container enter`, and how they map onto Cmd and ContainerConfig fields.
import type { Command } from 'commander';
import { collect, given, splitAt, toEnvVar, toRecord } from '../flags.js';

/** Cmd.console for --tty: the guest gives the process a pty, which the container sees as /dev/console (as under runc). */
export const TTY_CONSOLE = '/dev/console';

export interface ProcessFlags {
  env?: string[];
  workdir?: string;
  user?: string;
  tty?: boolean;
}

export interface RootfsFlags {
  rootfs?: string;
  readonlyRootfs?: boolean;
}

export interface ContainerFlags extends ProcessFlags, RootfsFlags {
  group?: string;
  additionalGroup?: string[];
  cap?: string[];
  /** false when --no-new-privileges is given (commander's negated-flag convention). */
  newPrivileges?: boolean;
  annotation?: string[];
  mount?: string[];
}

export const addProcessOptions = (cmd: Command) =>
  cmd
    .option('--env <K=V>', 'environment variable (repeatable)', collect)
    .option('--workdir <dir>', 'working directory (default: /)')
    .option('--user <user>', 'user to run as, name or UID')
    .option('--tty', 'give the process a terminal');

export const addRootfsOptions = (cmd: Command) =>
  cmd.option('--rootfs <path>', "the container's root filesystem on the host").option('--readonly-rootfs', 'mount the root filesystem read-only');

export const addContainerOptions = (cmd: Command) =>
  addProcessOptions(addRootfsOptions(cmd))
    .option('--group <group>', 'primary group')
    .option('--additional-group <group>', 'supplementary group (repeatable)', collect)
    .option('--cap <CAP_X>', 'capability, granted in every set (repeatable; none: the runtime default set)', collect)
    .option('--no-new-privileges', 'forbid gaining privileges (setuid, file capabilities)')
    .option('--annotation <k=v>', 'container annotation (repeatable)', collect)
    .option('--mount <src:dst[:ro]>', 'bind mount; a third part lists mount options, "ro" makes it read-only (repeatable)', collect);

export function cmdPatch(flags: ContainerFlags, args: string[]) {
  const caps = given(flags.cap);
  return {
    args: given(args),
    envs: flags.env?.map(toEnvVar),
    workDir: flags.workdir,
    user: flags.user,
    primaryGroup: flags.group,
    supplementaryGroups: given(flags.additionalGroup),
    noNewPrivileges: flags.newPrivileges === false ? true : undefined,
    capabilities: caps && { bounding: caps, effective: caps, inheritable: caps, permitted: caps, ambient: caps },
    ...(flags.tty ? { interactive: true, console: TTY_CONSOLE } : {}),
  };
}

/**
 * Beneath a container made from flags alone: it runs detached, so `pod run … -- cmd` and
 * `container start` return at once as they always have. A --config file's cmd keeps its own
 * `detach` (upstream's default: false, followed from a terminal; see foreground.ts).
 */
export const FLAGS_ONLY_CONTAINER = { cmd: { detach: true } } as const;

export function containerPatch(id: string | undefined, flags: ContainerFlags, args: string[]) {
  return {
    id,
    rootFs: flags.rootfs,
    readonlyRootfs: flags.readonlyRootfs,
    cmd: cmdPatch(flags, args),
    annotations: toRecord(flags.annotation),
    mounts: flags.mount?.map(toMount),
  };
}

function toMount(spec: string) {
  const [source, rest] = splitAt(spec, ':');
  const [destination, optionList] = rest === undefined ? [undefined, undefined] : splitAt(rest, ':');
  const options = optionList === undefined ? [] : optionList.split(',');
  return { source, destination, options, readOnly: options.includes('ro') };
}
