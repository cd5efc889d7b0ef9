// The boot floor every pod benchmark compares against: the pod kernel and initramfs booted bare by
// QEMU (no devices; the pods' default machine, base kernel parameters and TCG options) until the
// guest init's first line.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { accelOption, baseKernelParams } from '../../server/engine/drivers/hypervisor/qemu/args.js';

const repo = new URL('../..', import.meta.url).pathname;
const guest = process.env['PODVISOR_GUEST_DIR'] ?? join(repo, 'var', 'guest');
export const FIRST_INIT_LINE = 'podvisor-init:';

/** ms from spawn until the serial console shows `marker`. */
export function bareBoot(): Promise<number> {
  const started = Date.now();
  const qemu = spawn('qemu-system-x86_64', [
    '-machine', 'q35', '-accel', accelOption('tcg'), '-cpu', 'max', '-m', '256M', '-nodefaults', '-no-user-config',
    '-display', 'none', '-no-reboot', '-kernel', join(guest, 'vmlinux'), '-initrd', join(guest, 'initrd.img'),
    '-append', baseKernelParams('tcg', false).join(' '), '-serial', 'stdio',
  ], { stdio: ['ignore', 'pipe', 'inherit'] });
  let output = '';
  return new Promise((resolve, reject) => {
    qemu.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(FIRST_INIT_LINE)) {
        resolve(Date.now() - started);
        qemu.kill('SIGKILL');
      }
    });
    qemu.once('exit', () => reject(new Error(`QEMU exited before ${FIRST_INIT_LINE}:\n${output.slice(-500)}`)));
  });
}

