// Host and per-pod facts the engine's status calls do not carry: QEMU version, accelerator, guest
// assets, the CNI networks defined here, each pod's resources and uptime (VM CPU and memory: metrics.ts).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { configFromEnv, REPO_ROOT } from '../../config.js';
import { GUEST_ASSET_NAMES, guestDir, hostAccelerator, IdSchema, listCniNetworks, type PodSummary } from '../../engine/index.js';
import { qemuVersion } from '../../metrics/host-facts.js';
import { router, viewerProcedure } from '../trpc.js';

/** The list's columns from the records alone: two store reads for any number of pods, no VM probed. */
function overviewOf(pod: PodSummary) {
  const { vmConfig, hypervisorConfig, proxyType, shimType, networkModel } = pod.config;
  return {
    id: pod.id,
    // 0 means "the driver's default", which the console shows as such.
    vcpus: vmConfig.vcpus || hypervisorConfig.defaultVcpus,
    memoryMiB: vmConfig.memory || hypervisorConfig.defaultMemSz,
    proxy: proxyType,
    shim: shimType,
    network: networkModel,
    // Uptime starts when the pod last moved to running; a pod never started counts from its creation.
    since: pod.runningSince ?? pod.createdAt,
  };
}

const PodIdInput = z.object({ podId: IdSchema });

export const systemRouter = router({
  capabilities: viewerProcedure.query(async () => {
    const dir = guestDir();
    return {
      qemuVersion: await qemuVersion(),
      // The driver's verdict (probed once per boot), never a guess from /dev/kvm existing.
      ...(await hostAccelerator({ runRoot: configFromEnv().runRoot })),
      guestDir: dir,
      guestAssets: GUEST_ASSET_NAMES.map((name) => ({ name, present: existsSync(path.join(dir, name)) })),
      defaultRootFs: path.join(REPO_ROOT, 'var', 'rootfs', 'busybox'),
    };
  }),
  /** The CNI networks a new pod can join, for the create form's select. */
  cniNetworks: viewerProcedure.query(() => listCniNetworks()),
  podOverview: viewerProcedure.query(async ({ ctx }) => (await ctx.engine.listPodSummaries()).map(overviewOf)),
  podConfig: viewerProcedure.input(PodIdInput).query(async ({ ctx, input }) => (await ctx.engine.fetchPod(input.podId)).config()),
});
