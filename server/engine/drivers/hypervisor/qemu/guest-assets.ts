// The guest assets guest/build-assets.sh writes, by name, and where they are: the one place the
// file names live (the driver's defaults, the snapshot build, the console's and doctor's checks).
import { join } from 'node:path';
import { REPO_ROOT } from '../../../../repo-root.js';

export const GUEST_FILES = { kernel: 'vmlinux', initrd: 'initrd.img', image: 'image.erofs' } as const;
export const GUEST_ASSET_NAMES: readonly string[] = Object.values(GUEST_FILES);

/** Where build-assets.sh puts the guest: PODVISOR_GUEST_DIR, else var/guest in the repository. */
export function guestDir(): string {
  return process.env['PODVISOR_GUEST_DIR'] || join(REPO_ROOT, 'var', 'guest');
}
