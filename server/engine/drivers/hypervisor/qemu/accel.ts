// Decides between KVM and TCG once per host boot. /dev/kvm existing is not enough (nested KVM can
// hang every guest), so the probe boots the pod kernel briefly and caches the verdict under runRoot.
import { randomUUID } from 'node:crypto';
import { access, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Accelerator } from './args.js';

const PROBE_TIMEOUT_MS = 5_000;

/**
 * True if the pod kernel, booted bare under `accelerator` with the CPU model pods get, prints its
 * first console line in time. (A BIOS-only guest is not enough: on this kind of host SeaBIOS runs
 * under KVM while Linux hangs or QEMU aborts on `-cpu host`.)
 */
export async function probeAccelerator(qemuBinary: string, accelerator: Accelerator, kernelPath: string): Promise<boolean> {
  return (await probeAcceleratorOutcome(qemuBinary, accelerator, kernelPath)).booted;
}

/** The probe with what happened, for the console's "why" ("KVM probe timed out, using TCG"). */
export async function probeAcceleratorOutcome(qemuBinary: string, accelerator: Accelerator, kernelPath: string): Promise<{ booted: boolean; reason: string }> {
  const started = Date.now();
  const guest = execa(
    qemuBinary,
    // 128M: the ELF kernel alone takes ~65 MiB of guest RAM.
    ['-machine', 'pc', '-accel', accelerator, '-cpu', accelerator === 'kvm' ? 'host' : 'max', '-m', '128M',
      '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
      '-kernel', kernelPath, '-append', 'console=ttyS0 panic=-1', '-serial', 'stdio'],
    { reject: false, timeout: PROBE_TIMEOUT_MS, forceKillAfterDelay: 500, stdin: 'ignore', buffer: false, stderr: 'pipe' },
  );
  let booted = false;
  let output = ''; // the marker may arrive split across chunks
  guest.stdout?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString('latin1')).slice(-4096);
    if (!booted && output.includes('Linux version')) {
      booted = true;
      guest.kill('SIGKILL');
    }
  });
  let stderr = '';
  guest.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-512)));
  const result = await guest;
  const name = accelerator.toUpperCase();
  if (booted) return { booted, reason: `${name} probe guest booted in ${Date.now() - started} ms` };
  if (result.timedOut) return { booted, reason: `${name} probe timed out (no kernel output within ${PROBE_TIMEOUT_MS / 1000} s)` };
  const last = (stderr.trim().split('\n').at(-1) ?? '').replace(/\.$/, '');
  return { booted, reason: `${name} probe: QEMU exited (${result.exitCode ?? result.signal ?? '?'}) before the kernel booted${last ? `: ${last}` : ''}` };
}

async function bootId(): Promise<string> {
  return (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
}

interface CachedVerdict {
  accelerator: Accelerator;
  bootId: string;
  qemuBinary: string;
  /** Why, in words (absent in verdicts cached before it was kept). */
  reason?: string;
}

/** Why pods run under what they run under, from the cached verdict; null before any probe this boot. */
export async function acceleratorReason(runRoot: string): Promise<string | null> {
  const forced = process.env['PODVISOR_ACCEL'];
  if (forced === 'kvm' || forced === 'tcg') return `PODVISOR_ACCEL=${forced} forces it`;
  try {
    const cached = JSON.parse(await readFile(join(runRoot, 'accel.json'), 'utf8')) as CachedVerdict;
    return cached.bootId === (await bootId()) ? (cached.reason ?? null) : null;
  } catch {
    return null;
  }
}

/** Verdicts being reached in this process, so pods started at once share one probe and one write. */
const inFlight = new Map<string, Promise<Accelerator>>();

/** PODVISOR_ACCEL=kvm|tcg wins; else the cached verdict for this boot; else probe and cache. */
export async function chooseAccelerator(qemuBinary: string, kernelPath: string, runRoot: string): Promise<Accelerator> {
  const forced = process.env['PODVISOR_ACCEL'];
  if (forced === 'kvm' || forced === 'tcg') return forced;
  const key = `${runRoot}\0${qemuBinary}`;
  let verdict = inFlight.get(key);
  if (!verdict) {
    verdict = cachedOrProbed(qemuBinary, kernelPath, runRoot).finally(() => inFlight.delete(key));
    inFlight.set(key, verdict);
  }
  return verdict;
}

async function cachedOrProbed(qemuBinary: string, kernelPath: string, runRoot: string): Promise<Accelerator> {
  const cacheFile = join(runRoot, 'accel.json');
  const currentBoot = await bootId();
  try {
    const cached = JSON.parse(await readFile(cacheFile, 'utf8')) as CachedVerdict;
    if (cached.bootId === currentBoot && cached.qemuBinary === qemuBinary) return cached.accelerator;
  } catch {
    // no verdict yet (or an unreadable one): probe
  }
  const kvmUsable = await access('/dev/kvm', constants.R_OK | constants.W_OK).then(() => true, () => false);
  const probe = kvmUsable ? await probeAcceleratorOutcome(qemuBinary, 'kvm', kernelPath) : { booted: false, reason: 'no usable /dev/kvm (missing, or not readable and writable)' };
  const accelerator: Accelerator = probe.booted ? 'kvm' : 'tcg';
  const reason = probe.booted ? `${probe.reason}, using KVM` : `${probe.reason}, using TCG`;
  const verdict: CachedVerdict = { accelerator, bootId: currentBoot, qemuBinary, reason };
  await mkdir(runRoot, { recursive: true });
  // Unique per writer: other processes (CLI calls, the console) may be writing their verdict too.
  const tmp = `${cacheFile}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(tmp, JSON.stringify(verdict) + '\n');
  await rename(tmp, cacheFile);
  return accelerator;
}
