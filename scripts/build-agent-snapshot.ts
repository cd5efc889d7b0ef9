// `npm run build:snapshot`: the guest agent's V8 startup snapshot for this host (docs/agent-snapshot.md),
// built inside a guest VM once per CPU model, QEMU and guest build; does nothing while one is there
// (--force builds again). Boots a VM: on a shared machine, run it under the VM lock.
import { join } from 'node:path';
import { buildAgentSnapshot } from '../server/engine/drivers/hypervisor/qemu/agent-snapshot-build.js';
import { REPO_ROOT } from '../server/repo-root.js';

const guestDir = process.env['PODVISOR_GUEST_DIR'] || join(REPO_ROOT, 'var', 'guest');
const runRoot = process.env['PODVISOR_RUN_DIR'] || '/run/podvisor'; // where the engine caches the accelerator verdict

try {
  const { info, built } = await buildAgentSnapshot({ guestDir, binary: '/usr/bin/qemu-system-x86_64', runRoot, force: process.argv.includes('--force') });
  const size = `${(info.blobBytes / 2 ** 20).toFixed(1)} MiB`;
  console.error(built ? `build-snapshot: built ${info.key} (${size}) in ${(info.buildMs / 1000).toFixed(1)} s` : `build-snapshot: up to date (${info.key}, ${size})`);
} catch (err) {
  console.error(`build-snapshot: failed, pods will start the plain agent bundle: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}
