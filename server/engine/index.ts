// The engine's only public surface: everything outside server/engine imports from here.
import pino from 'pino';
import { configFromEnv, type PodvisorConfig } from '../config.js';
import { createEngine } from './engine.js';
import { openStore } from './store/prisma-store.js';
import type { VC } from './vc.js';

export { createEngine, runDirFor, type EngineOptions } from './engine.js';
export { openDatabase } from './store/prisma-store.js';
export type { PrismaClient as Database } from '../generated/prisma/client.js';
export { EngineError, ERROR_CODES, toEngineError, formatZodError, invalidConfig, type ErrorCode } from './errors.js';
export type { PodEvent } from './events.js';
export type { DoctorFinding, DoctorOptions, DoctorReport, FindingKind } from './doctor/types.js';
export type { TemplateInfo } from './templates/types.js';
export { stepLabel, formatSeconds, type StepProgress, type ProgressListener } from './progress.js';
export type { ContainerStats, GuestStats, ProcessIo } from './drivers/agent/types.js';
export { PORTS_ANNOTATION } from './drivers/network/cni-config.js';
export { hostAccelerator } from './drivers/hypervisor/qemu/index.js';
export { acceleratorReason } from './drivers/hypervisor/qemu/accel.js';
export { VIRTIOFSD } from './drivers/hypervisor/qemu/virtiofsd.js';
export { GUEST_ASSET_NAMES, GUEST_FILES, guestDir } from './drivers/hypervisor/qemu/guest-assets.js';
export { cniOptionsFromEnv } from './drivers/network/cni-config.js';
export { listCniNetworks, type CniCatalog, type CniNetworkEntry } from './drivers/network/catalog.js';
export { TRANSITIONS, PRECONDITIONS, canTransition, type CallName } from './state.js';
export * from './types.js';
export { HostDevicePatternsSchema } from './host-device-patterns.js';
export type { VC, VCPod, VCContainer, EnterResult, PodSummary } from './vc.js';

/** The engine as the CLI and the console server use it: store, run and lock dirs from the environment. */
export async function openEngine(config: PodvisorConfig = configFromEnv()): Promise<VC> {
  const log = pino({ level: config.logLevel }, pino.destination(2));
  return createEngine({ store: await openStore(config.databaseUrl, { busyTimeoutMs: config.storeBusyMs }), runRoot: config.runRoot, lockDir: config.lockDir, lockWaitMs: config.lockWaitMs, log, hostPathRoots: config.hostPathRoots });
}
