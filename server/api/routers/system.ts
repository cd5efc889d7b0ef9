// Host and per-pod facts the engine's status calls do not carry: QEMU version, accelerator, guest
// assets, the CNI networks defined here, each pod's resources and uptime, and the VM process's CPU
// and memory read from /proc.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { z } from 'zod';
import { configFromEnv, REPO_ROOT } from '../../config.js';
import { hostAccelerator, IdSchema, listCniNetworks, type PodEvent, type VC } from '../../engine/index.js';
import { router, viewerProcedure } from '../trpc.js';

const GUEST_ASSETS = ['vmlinux', 'initrd.img', 'image.ext4'];
/** Clock ticks per second of /proc/<pid>/stat times; 100 on every Linux build we run on. */
const CLOCK_TICKS = 100;
const CPU_SAMPLE_MS = 250;

async function qemuVersion(): Promise<string | null> {
  try {
    const { stdout } = await promisify(execFile)('qemu-system-x86_64', ['--version'], { timeout: 5_000 });
    return /version ([^\s(]+)/.exec(stdout)?.[1] ?? stdout.split('\n')[0] ?? null;
  } catch {
    return null;
  }
}

/** utime + stime in ticks; the comm field may hold spaces and parentheses, so split after its last ")". */
async function cpuTicks(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

async function rssKiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0);
}

/** When the pod last moved to running (its uptime starts there), else when it was created. */
function sinceOf(events: PodEvent[]): string | null {
  const started = events.filter((e) => e.containerId === null && e.toState === 'running').at(-1);
  return started?.time ?? events[0]?.time ?? null;
}

async function overviewOf(engine: VC, podId: string) {
  const pod = await engine.fetchPod(podId);
  const { vmConfig, hypervisorConfig, proxyType, shimType, networkModel } = pod.config();
  return {
    id: podId,
    // 0 means "the driver's default", which the console shows as such.
    vcpus: vmConfig.vcpus || hypervisorConfig.defaultVcpus,
    memoryMiB: vmConfig.memory || hypervisorConfig.defaultMemSz,
    proxy: proxyType,
    shim: shimType,
    network: networkModel,
    since: sinceOf(await engine.listPodEvents(podId, { limit: 10_000 })),
  };
}

const PodIdInput = z.object({ podId: IdSchema });

export const systemRouter = router({
  capabilities: viewerProcedure.query(async () => {
    const guestDir = process.env['PODVISOR_GUEST_DIR'] ?? path.join(REPO_ROOT, 'var', 'guest');
    return {
      qemuVersion: await qemuVersion(),
      // The driver's verdict (probed once per boot), never a guess from /dev/kvm existing.
      ...(await hostAccelerator({ runRoot: configFromEnv().runRoot })),
      guestDir,
      guestAssets: GUEST_ASSETS.map((name) => ({ name, present: existsSync(path.join(guestDir, name)) })),
      defaultRootFs: path.join(REPO_ROOT, 'var', 'rootfs', 'busybox'),
    };
  }),
  /** The CNI networks a new pod can join, for the create form's select. */
  cniNetworks: viewerProcedure.query(() => listCniNetworks()),
  podOverview: viewerProcedure.query(async ({ ctx }) => {
    const pods = await ctx.engine.listPod();
    return Promise.all(pods.map((p) => overviewOf(ctx.engine, p.id)));
  }),
  podConfig: viewerProcedure.input(PodIdInput).query(async ({ ctx, input }) => (await ctx.engine.fetchPod(input.podId)).config()),
  podUsage: viewerProcedure.input(PodIdInput).query(async ({ ctx, input }) => {
    const pid = (await ctx.engine.statusPod(input.podId)).vm?.pid;
    if (!pid) return null;
    try {
      const before = await cpuTicks(pid);
      await sleep(CPU_SAMPLE_MS);
      const after = await cpuTicks(pid);
      const cpuPercent = ((after - before) / CLOCK_TICKS / (CPU_SAMPLE_MS / 1_000)) * 100;
      return { pid, cpuPercent: Math.round(cpuPercent * 10) / 10, rssKiB: await rssKiB(pid), time: new Date().toISOString() };
    } catch {
      return null; // the VM exited between the status call and the reads
    }
  }),
});
