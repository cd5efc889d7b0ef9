// doctor: reconciles the store with the host after crashes and kill -9s. A record claiming a VM that
// is gone is corrected through the status path (observe); processes, run dirs, netns and locks of
// ours that no record owns are reported, and with `fix` reaped or removed. "Ours" is decided only by
// markers under THIS engine's run root and by our own CNI cache records, never by names. Anything
// whose pod lock is held by a live call is skipped: a create or start in flight looks just like a leak.
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { runDirFor } from '../engine.js';
import { toEngineError } from '../errors.js';
import type { Host } from '../host/types.js';
import { cniOptionsFromEnv } from '../drivers/network/cni-config.js';
import { createCniNetwork } from '../drivers/network/driver.js';
import type { Network } from '../drivers/network/types.js';
import { readNetnsRecord } from '../drivers/network/records.js';
import type { PodLocks } from '../pod-lock.js';
import { removeRunDirSafely } from '../run-dir.js';
import type { Store } from '../store/types.js';
import { PodConfigSchema, type State } from '../types.js';
import { scanOurProcesses, type OurProcess } from './scan.js';
import type { DoctorFinding, DoctorOptions, DoctorReport } from './types.js';

export interface DoctorDeps {
  store: Store;
  runRoot: string;
  locks: PodLocks;
  host: Host;
  log: Logger;
  /** The pod's state after the status path's observe (which records a dead VM as a pod event). */
  observe(podId: string): Promise<State>;
  /** Where the network drivers keep their write-ahead records (the environment's by default). */
  cniCacheDir?: string;
  /** What undoes what those records name (the CNI driver by default; CNM's remove is the same). */
  network?: Network;
}

/** Shims first (their proxy would otherwise leave them to init), QEMU before the daemons it uses. */
const REAP_ORDER: OurProcess['kind'][] = ['shim', 'proxy', 'qemu', 'virtiofsd'];

const subdirs = async (dir: string) => (await readdir(dir, { withFileTypes: true }).catch(() => [])).filter((e) => e.isDirectory()).map((e) => e.name);

/** `fixed` and `error` from running `repair` (only with `fix`). */
async function attempt(fix: boolean, repair: () => Promise<unknown>): Promise<Pick<DoctorFinding, 'fixed' | 'error'>> {
  if (!fix) return { fixed: false };
  try {
    await repair();
    return { fixed: true };
  } catch (err) {
    return { fixed: false, error: toEngineError(err).message };
  }
}

export async function runDoctor(deps: DoctorDeps, { fix = false }: DoctorOptions = {}): Promise<DoctorReport> {
  const { store, host, locks } = deps;
  const cacheDir = deps.cniCacheDir ?? cniOptionsFromEnv().cacheDir;
  const network = deps.network ?? createCniNetwork({ host });
  const root = path.resolve(deps.runRoot);
  // Processes and locks before records: a call that commits after we looked still held its lock then.
  const processes = await scanOurProcesses(host, root);
  const { busy, stale } = await locks.held();
  const busyPods = new Set(busy);
  const busyDirs = new Set(busy.map((id) => runDirFor(root, id)));
  const findings: DoctorFinding[] = [];

  for (const pod of await store.listPods()) {
    if (pod.state === 'stopped' || busyPods.has(pod.id)) continue;
    const state = await deps.observe(pod.id).catch(() => pod.state);
    if (state === 'stopped') findings.push({ kind: 'deadVm', podId: pod.id, subject: `pod ${pod.id}`, detail: `recorded ${pod.state}, but its VM is gone: pod and containers marked stopped`, fixed: true });
  }

  const records = await store.listPods();
  const podOfDir = new Map(records.map((p) => [runDirFor(root, p.id), p]));
  const live = processes.filter((p) => !busyDirs.has(p.runDir) && (podOfDir.get(p.runDir)?.state ?? 'stopped') === 'stopped');
  live.sort((a, b) => REAP_ORDER.indexOf(a.kind) - REAP_ORDER.indexOf(b.kind));
  const unreaped = new Set<string>();
  for (const p of live) {
    const owner = podOfDir.get(p.runDir);
    const detail = `${p.kind} of run dir ${p.runDir}, ${owner ? `whose pod ${owner.id} is stopped` : 'which no pod record owns'}`;
    const ours = async (pid: number) => ((await host.cmdline(pid)) ?? []).includes(p.marker);
    const outcome = await attempt(fix, async () => {
      if (!(await host.terminate(p.pid, ours))) throw new Error(`pid ${p.pid} does not exit`);
    });
    if (!outcome.fixed) unreaped.add(p.runDir);
    findings.push({ kind: 'orphanProcess', podId: owner?.id ?? path.basename(p.runDir), subject: `${p.kind} pid ${p.pid}`, detail, ...outcome });
  }

  for (const name of await subdirs(root)) {
    const dir = path.join(root, name);
    if (podOfDir.has(dir) || busyDirs.has(dir)) continue;
    const outcome = await attempt(fix, async () => {
      if (unreaped.has(dir)) throw new Error('a process of ours still uses it');
      await removeRunDirSafely(dir, host);
    });
    findings.push({ kind: 'orphanRunDir', podId: name, subject: dir, detail: 'a run dir that no pod record owns', ...outcome });
  }

  const podIds = new Set(records.map((p) => p.id));
  for (const podId of await subdirs(cacheDir)) {
    if (podIds.has(podId) || busyPods.has(podId)) continue;
    const netns = await readNetnsRecord(cacheDir, podId);
    // remove() works from the cache alone: CNI DEL with each prevResult, the links, then the netns.
    const ctx = { id: podId, config: PodConfigSchema.parse({ id: podId }), runDir: runDirFor(root, podId), runtime: { hypervisor: {}, agent: {}, network: {} }, log: deps.log };
    const outcome = await attempt(fix, () => network.remove(ctx));
    const subject = netns ? `netns ${netns.name}` : path.join(cacheDir, podId);
    findings.push({ kind: 'orphanNetns', podId, subject, detail: 'network records (CNI cache) that no pod record owns', ...outcome });
  }

  for (const podId of stale) {
    const outcome = await attempt(fix, () => locks.takeOver(podId));
    findings.push({ kind: 'staleLock', podId, subject: `lock of pod ${podId}`, detail: 'left by a call whose process died', ...outcome });
  }

  await recordOnPods(deps, findings.filter((f) => f.kind !== 'deadVm' && f.podId !== null && podIds.has(f.podId)));
  return { fix, findings };
}

/** Findings about a pod with a record go on its timeline (a dead VM's observe event is there already). */
async function recordOnPods(deps: DoctorDeps, findings: DoctorFinding[]): Promise<void> {
  for (const f of findings) {
    const message = `doctor: ${f.subject}: ${f.detail}${f.fixed ? ' (fixed)' : f.error ? ` (fix failed: ${f.error})` : ''}`;
    const event = { podId: f.podId!, call: 'doctor', containerId: null, outcome: f.error ? ('error' as const) : ('ok' as const), errorCode: null, message, fromState: null, toState: null };
    await deps.store.commit(f.podId!, { events: [event] }).catch((err) => deps.log.warn({ err }, 'doctor: could not record a finding'));
  }
}

export type { DoctorFinding, DoctorOptions, DoctorReport } from './types.js';
