// The fault-injection tier's view of a test engine: what is left on the "host" (run dirs, mock VMs,
// locks) against what the records claim, and a child process that runs one call with a fault plan.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { mockVmFile } from '../../server/engine/drivers/hypervisor/mock.js';
import { FAULT_ENV } from '../../server/engine/host/faults.js';
import { runDirFor } from '../../server/engine/index.js';
import { openSqliteStore } from '../../server/engine/store/prisma-store.js';
import type { Store } from '../../server/engine/store/types.js';
import type { TestEngine } from './engine.js';

const stores = new Map<string, Store>();
/** The test engine's records as stored, runtime state included (the VC API does not show it). */
export function recordsOf(t: TestEngine): Store {
  let store = stores.get(t.dir);
  if (!store) stores.set(t.dir, (store = openSqliteStore(`file:${path.join(t.dir, 'podvisor.db')}`)));
  return store;
}
export async function closeRecords(t: TestEngine): Promise<void> {
  await stores.get(t.dir)?.close();
  stores.delete(t.dir);
}

const entries = (dir: string) => (existsSync(dir) ? readdirSync(dir) : []);

/**
 * Every disagreement between the records and the host, in words: a live pod whose VM is gone, a
 * VM or run dir no live record claims, a lock left behind. Empty when all is well.
 */
export async function leftovers(t: TestEngine): Promise<string[]> {
  const runRoot = path.join(t.dir, 'run');
  const pods = await recordsOf(t).listPods();
  const byRunDir = new Map(pods.map((p) => [runDirFor(runRoot, p.id), p]));
  const problems: string[] = [];
  for (const p of pods) {
    const vmFile = p.runtime.hypervisor['vmFile'];
    if (p.state !== 'stopped' && !(typeof vmFile === 'string' && existsSync(vmFile))) problems.push(`pod ${p.id} is ${p.state} but its VM is gone`);
  }
  for (const name of entries(runRoot)) {
    const pod = byRunDir.get(path.join(runRoot, name));
    if (!pod) problems.push(`run dir ${name} belongs to no pod`);
    else if (pod.state === 'stopped' && existsSync(mockVmFile(path.join(runRoot, name)))) problems.push(`a VM runs for stopped pod ${pod.id}`);
  }
  for (const name of entries(path.join(t.dir, 'locks'))) problems.push(`lock ${name} left`);
  return problems;
}

export interface ChildOutcome {
  /** The signal that ended the child, when it did not exit by itself. */
  signal: string | null;
  stdout: string;
}

/** One engine call in a child process on `t`'s database and dirs, with PODVISOR_FAULT = `fault`. */
export async function callInChild(t: TestEngine, fault: string, call: string, ...args: unknown[]): Promise<ChildOutcome> {
  const argv = args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a)));
  const r = await execa('node', ['--import', 'tsx', 'test/helpers/engine-call.ts', t.dir, call, ...argv], { env: { [FAULT_ENV]: fault }, reject: false });
  return { signal: r.signal ?? null, stdout: r.stdout };
}
