// Helpers for the real-VM tier: a copy of the busybox test rootfs, a collector of a process's
// output, and a check that nothing of a pod is left running.
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { scanOurProcesses, type OurProcess } from '../../server/engine/doctor/scan.js';
import { linuxHost } from '../../server/engine/host/linux.js';
import { runDirFor, type ContainerConfigInput, type PodConfigInput, type ProcessIo, type VC } from '../../server/engine/index.js';
import { REPO_ROOT } from '../../server/config.js';

export const BUSYBOX_ROOTFS = path.join(REPO_ROOT, 'var/rootfs/busybox');

/** A private, writable copy of the busybox rootfs (tests write into it). */
export function rootfsCopy(): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'pv-rootfs-')), 'rootfs');
  cpSync(BUSYBOX_ROOTFS, dir, { recursive: true, verbatimSymlinks: true });
  return dir;
}

/** A QEMU pod on the kata agent, with `containers` given as ContainerConfig inputs. */
export function qemuPod(id: string, containers: ContainerConfigInput[] = [], extra: Partial<PodConfigInput> = {}): PodConfigInput {
  return { id, hypervisorType: 'qemu', agentType: 'kata', proxyType: 'kataProxy', shimType: 'kataShim', containers, ...extra };
}

/** Collects stdout+stderr until the process exits. */
export async function collect(io: ProcessIo): Promise<{ output: string; exitCode: number }> {
  let output = '';
  io.stdout.on('data', (d: Buffer) => (output += d.toString()));
  io.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const { exitCode } = await io.wait();
  await new Promise((r) => setTimeout(r, 50)); // let the last chunks land
  io.close();
  return { output, exitCode };
}

/** Processes whose command line mentions `needle` (a run dir or pod id), excluding pgrep itself. */
export async function processesMentioning(needle: string): Promise<string[]> {
  const { stdout } = await execa('pgrep', ['-af', needle], { reject: false });
  return stdout.split('\n').filter((l) => l && !l.includes('pgrep'));
}

/** Processes of ours under `runRoot` that no pod record which is not stopped owns: leaks, after a doctor --fix. */
export async function unownedProcesses(vc: VC, runRoot: string): Promise<OurProcess[]> {
  const records = new Map((await vc.listPod()).map((p) => [runDirFor(runRoot, p.id), p.state]));
  return (await scanOurProcesses(linuxHost, runRoot)).filter((p) => !records.has(p.runDir) || records.get(p.runDir) === 'stopped');
}

/**
 * Stops and deletes every pod, then lets doctor reap what no record owns: a VM test that failed
 * midway must not leave QEMU running once its engine's dir is removed (nothing could find it then).
 */
export async function removeAllPods(vc: VC): Promise<void> {
  for (const pod of await vc.listPod().catch(() => [])) {
    if (pod.state !== 'stopped') await vc.stopPod(pod.id).catch(() => {});
    await vc.deletePod(pod.id).catch(() => {});
  }
  await vc.doctor({ fix: true }).catch(() => {});
}
