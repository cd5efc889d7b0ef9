// Upstream's non-detached containers (Cmd.detach false, its default), where a terminal exists: the
// CLI that started one follows it in the foreground as `docker run` without -d does, relaying its
// stdio (attach.ts, as `container enter`) and exiting with its exit code. Everywhere else it is
// treated as detached: with --json (stdout is for the JSON alone), when stdout is not a terminal
// (`out=$(podvisor pod run …)` must return at once), and with --url (attaching needs this host's
// engine). The engine itself never hands its own stdio to a shim, so a detached process's output
// waits in the agent for whoever attaches later.
import type { VCContainer } from '../engine/index.js';
import { attachStdio } from './attach.js';
import type { CliContext } from './context.js';

/** Whether this invocation follows a non-detached container instead of treating it as detached. */
export const followsInForeground = (ctx: CliContext, stdoutIsTerminal = process.stdout.isTTY === true): boolean =>
  !ctx.json && stdoutIsTerminal && ctx.local !== null;

/**
 * The container to follow: the first running, non-detached one (in config order) among `ids`, or
 * among all of the pod's. One process owns the terminal, as in `docker run`; other non-detached
 * containers of a pod keep running, reachable with `container enter` or the console.
 */
export function containerToFollow(containers: readonly VCContainer[], ids?: readonly string[]): VCContainer | undefined {
  return containers.find((c) => (!ids || ids.includes(c.id())) && c.state() === 'running' && !c.config().cmd.detach);
}

/** Follows the pod's container to follow, if there is one and this invocation may; its exit code, else undefined. */
export async function followContainer(ctx: CliContext, podId: string, ids?: readonly string[]): Promise<number | undefined> {
  if (!followsInForeground(ctx)) return undefined;
  const { vc } = ctx.local!;
  const followed = containerToFollow((await vc.fetchPod(podId)).getAllContainers(), ids);
  if (!followed) return undefined;
  const { cmd } = followed.config();
  // A terminal exactly when the guest gave the process one (processSpecOf in the kata agent driver).
  const tty = cmd.interactive && cmd.console !== '';
  return attachStdio(await vc.attachProcess(podId, followed.id(), followed.getToken()), { tty });
}
