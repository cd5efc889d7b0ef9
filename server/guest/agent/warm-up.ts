// A template VM's warm-up container (the host's warmTemplate drives it before saving the template):
// the template has no share mounted yet (a mounted 9p fid blocks migration), so its one container
// runs on the guest's own root, bind-mounted where a container's rootfs in the share would be.
// Every clone then resumes with the agent's request, sandbox and container code already compiled
// by V8 and crun's pages cached, which under TCG halves a clone's first calls (docs/templating.md).
import { mkdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ProtocolError } from '../protocol/messages.js';
import { isMountPoint } from './mountinfo.js';
import { runChecked } from './runtime.js';

export async function warmUpRootfs(options: { sharedDir: string; mountStorages: boolean }, containerId: string, present: boolean): Promise<void> {
  // An agent run on a host for tests must never bind the host's root anywhere.
  if (!options.mountStorages) throw new ProtocolError('NOT_SUPPORTED', 'a warm-up rootfs exists only in a template VM');
  if (await isMountPoint(options.sharedDir)) throw new ProtocolError('INVALID_STATE', "the pod's share is mounted: a warm-up rootfs is for templates only");
  const dir = join(options.sharedDir, containerId);
  const rootfs = join(dir, 'rootfs');
  if (present) {
    await mkdir(rootfs, { recursive: true });
    if (!(await isMountPoint(rootfs))) await runChecked('mount', ['--bind', '/', rootfs]);
    return;
  }
  if (await isMountPoint(rootfs)) await runChecked('umount', [rootfs]);
  // rmdir, never a recursive rm: should the unmount not have happened, the guest's root stays whole.
  await rmdir(rootfs).catch(ignoreMissing);
  await rmdir(dir).catch(ignoreMissing);
}

function ignoreMissing(err: NodeJS.ErrnoException): void {
  if (err.code !== 'ENOENT') throw err;
}
