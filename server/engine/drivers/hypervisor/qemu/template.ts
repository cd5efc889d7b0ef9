// VM templating for the qemu driver (the VmTemplates capability, templates/types.ts), with QEMU 7.2
// under TCG as measured in issue 13: the template's RAM is a /dev/shm file mapped share=on, so with
// x-ignore-shared saving its state copies no RAM (~0.5 MB, tens of ms); a clone maps the same file
// share=off (private copy-on-write), starts with -incoming defer, loads the state and is resumed.
// Shares are not mounted in the template (a mounted 9p fid blocks migration): the agent mounts the
// clone's own shares at CreateSandbox. The device layout must match, hence one template per argv.
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EngineError } from '../../../errors.js';
import type { Host } from '../../../host/types.js';
import type { TemplateFit, TemplateInfo, TemplateSettings, TemplateWarmUp, VmTemplates } from '../../../templates/types.js';
import type { VmLaunchPlan } from '../../devices.js';
import type { DriverEnv } from '../../registry.js';
import type { PodContext } from '../../types.js';
import { buildQemuArgs, type LaunchDevice, type QemuLaunch } from './args.js';
import { endpointsOf, launchSettings, removeRunFiles, resolveDevices, runFiles, socketsOf, waitForQmp } from './index.js';
import { ourQemu, spawnQemu } from './process.js';
import { QmpConnection } from './qmp.js';
import { QemuStateSchema, type QemuState } from './state.js';
import { podSharedFs } from './virtiofsd.js';

/** A TCG boot to a listening agent takes 10–20 s; on a loaded host, more. */
const TEMPLATE_BOOT_MS = 180_000;
const MIGRATION_MS = 60_000;
/** The same in a template and every clone: the kernel command line lives in the template's RAM anyway. */
const TEMPLATE_HOSTNAME = 'podvisor-template';

interface TemplateFiles {
  dir: string;
  state: string;
  info: string;
  memory: string;
}

/**
 * The RAM file sits with the rest, so removing the dir removes everything. The default dir is next
 * to the run root, /run (tmpfs): clones then share page-cache pages that never touch a disk.
 */
function filesOf(settings: TemplateSettings, key: string): TemplateFiles {
  const dir = join(settings.dir, key);
  return { dir, state: join(dir, 'state'), info: join(dir, 'info.json'), memory: join(dir, 'ram') };
}

/** Why this pod's VM cannot be a clone, or null. Checked before anything is started. */
export function cloneBlocker(pod: PodContext, plan: VmLaunchPlan): string | null {
  const config = pod.config.hypervisorConfig;
  if (plan.devices.some((d) => d.kind === 'nic')) return 'NICs cannot be cloned yet: their MACs are part of the saved device state';
  if (plan.devices.some((d) => d.kind === 'serialPort' && d.backend === 'file')) return 'a file-backed serial port (hyperstart without a proxy) is not in the template layout';
  const shares = plan.devices.filter((d) => d.kind === 'share' && !d.readOnly);
  if (shares.length && podSharedFs(config.sharedFs) === 'virtio-fs') {
    return "virtio-fs shares cannot be cloned: QEMU 7.2's vhost-user-fs blocks migration (hypervisorConfig.sharedFs virtio-9p can be)";
  }
  if (config.hugePages) return 'hugePages: template RAM is a /dev/shm file';
  if (config.memPrealloc) return 'memPrealloc: a clone maps the template RAM copy-on-write';
  return null;
}

/** Share host paths are not part of the migrated state: a template gets an empty dir in their place. */
function templatePlan(plan: VmLaunchPlan, shareDir: string): VmLaunchPlan {
  return { netNsPath: '', devices: plan.devices.map((d) => (d.kind === 'share' ? { ...d, hostPath: shareDir } : d)) };
}

async function fileStamp(path: string): Promise<string> {
  const s = await stat(path);
  return `${path}:${s.size}:${s.mtimeMs}`;
}

/** Everything a clone must have in common with its template: the argv with volatile parts fixed, and the assets' identity. */
async function keyOf(launch: QemuLaunch, binary: string): Promise<{ key: string; family: string; inputs: Record<string, string | number> }> {
  const fixed: QemuLaunch = {
    ...launch,
    podId: 'template',
    uuid: '00000000-0000-0000-0000-000000000000',
    hostname: TEMPLATE_HOSTNAME,
    sockets: { qmp: '/T/qmp.sock', console: '/T/console.sock' },
    consoleLog: '/T/console.log',
    devices: launch.devices.map((d) => (d.kind === 'serialPort' ? { ...d, socketPath: `/T/${d.name}` } : d.kind === 'share' ? { ...d, hostPath: '/T/share' } : d)),
    template: { memPath: '/T/ram', role: 'template', vmgenid: '00000000-0000-0000-0000-000000000000' },
  };
  const stamps = await Promise.all([binary, launch.kernelPath, launch.initrdPath, launch.imagePath].map(fileStamp));
  const argv = buildQemuArgs(fixed);
  const key = createHash('sha256').update(JSON.stringify([argv, stamps])).digest('hex').slice(0, 16);
  // The same launch over other asset contents: a rebuilt guest or QEMU makes the old template stale.
  const family = createHash('sha256').update(JSON.stringify(argv)).digest('hex').slice(0, 16);
  const devices = launch.devices.map((d) => (d.kind === 'share' ? `share:${d.tag}${d.readOnly ? ':ro' : ''}` : d.kind === 'serialPort' ? `port:${d.name}` : d.kind)).join(' ');
  // launch.config carries the effective values (launchSettings): the default machine is filled in.
  return { key, family, inputs: { vcpus: launch.vcpus, memoryMiB: launch.memoryMiB, machine: launch.config.hypervisorMachineType, devices, kernel: launch.kernelPath, initrd: launch.initrdPath, image: launch.imagePath, qemu: binary } };
}

/** Serial ports are 9p-free; shares take 9p, the only transport a clone can have (cloneBlocker). */
async function prepare(pod: PodContext, env: DriverEnv, plan: VmLaunchPlan, runDir: string) {
  const devices = resolveDevices(plan, runDir, 'virtio-9p', []);
  const { binary, launch } = await launchSettings({ ...pod, runDir }, env, devices);
  return { binary, launch: { ...launch, hostname: TEMPLATE_HOSTNAME }, devices };
}

async function qmpOpen(path: string): Promise<QmpConnection> {
  return QmpConnection.open(path, 5_000);
}

async function waitForMigration(qmp: QmpConnection, what: string): Promise<void> {
  const deadline = Date.now() + MIGRATION_MS;
  for (;;) {
    const { status, 'error-desc': error } = (await qmp.execute('query-migrate')) as { status?: string; 'error-desc'?: string };
    if (status === 'completed') return;
    if (status === 'failed' || status === 'cancelled') throw new EngineError('HYPERVISOR_FAILED', `${what} ${status}${error ? `: ${error}` : ''}`);
    if (Date.now() > deadline) throw new EngineError('TIMEOUT', `${what} did not complete within ${MIGRATION_MS / 1000} s`);
    // A restore takes ~30 ms (no RAM is copied): a query-migrate every 5 ms costs QEMU next to nothing.
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Resolves once the guest opened every serial port (its agent listens), from QMP's VSERPORT_CHANGE. */
function portsOpened(qmp: QmpConnection, devices: LaunchDevice[], exited: Promise<string>): Promise<void> {
  const waiting = new Set(devices.flatMap((d, i) => (d.kind === 'serialPort' ? [i] : [])).map((_, n) => `port${n}dev`));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new EngineError('TIMEOUT', `the template's agent did not open its port within ${TEMPLATE_BOOT_MS / 1000} s`)), TEMPLATE_BOOT_MS);
    void exited.then((reason) => reject(new EngineError('HYPERVISOR_FAILED', `template QEMU ${reason}`)));
    qmp.onEvent = ({ event, data }) => {
      if (event !== 'VSERPORT_CHANGE' || data?.['open'] !== true) return;
      waiting.delete(String(data['id']));
      if (waiting.size === 0) {
        clearTimeout(timer);
        resolve();
      }
    };
    if (waiting.size === 0) resolve();
  });
}

async function allocatedBytes(path: string): Promise<number> {
  return stat(path).then((s) => s.blocks * 512, () => 0);
}

/** Live processes whose argv maps this RAM file: the clones (templates themselves quit once saved). */
async function mappers(host: Host, memory: string): Promise<number[]> {
  const needle = `mem-path=${memory},`;
  const pids = (await readdir('/proc')).filter((e) => /^\d+$/.test(e)).map(Number);
  const found: number[] = [];
  for (const pid of pids) if (((await host.cmdline(pid)) ?? []).some((a) => a.includes(needle))) found.push(pid);
  return found;
}

/** Templates of the same launch over older assets, once no clone maps them: an input changed, they are never used again. */
async function pruneStale(host: Host, settings: TemplateSettings, key: string, family: string): Promise<void> {
  for (const other of await readdir(settings.dir).catch(() => [] as string[])) {
    if (other === key || !/^[0-9a-f]{16}$/.test(other)) continue;
    const files = filesOf(settings, other);
    const info = JSON.parse(await readFile(files.info, 'utf8').catch(() => '{}')) as { family?: string };
    if (info.family === family && (await mappers(host, files.memory)).length === 0) await rm(files.dir, { recursive: true, force: true });
  }
}

/**
 * Built in a scratch dir renamed into place at the end: a half-built template never looks built, and
 * when two processes (console and CLI) build the same key, the first rename wins and the other's
 * work is dropped. The RAM file's path is not part of the saved state, so it may move.
 */
async function build(host: Host, env: DriverEnv, settings: TemplateSettings, pod: PodContext, plan: VmLaunchPlan, key: string, warm?: TemplateWarmUp): Promise<void> {
  const work = join(settings.dir, `.b-${key}-${randomBytes(3).toString('hex')}`);
  const scratch: TemplateFiles = { dir: work, state: join(work, 'state'), info: join(work, 'info.json'), memory: join(work, 'ram') };
  await mkdir(join(work, 'share'), { recursive: true, mode: 0o750 });
  const { binary, launch, devices } = await prepare(pod, env, templatePlan(plan, join(work, 'share')), work);
  const run = runFiles(work);
  const args = buildQemuArgs({ ...launch, podId: `template-${key}`, template: { memPath: scratch.memory, role: 'template', vmgenid: randomUUID() } });
  let pid: number | null = null;
  let warmUpMs: number | null = null;
  try {
    const qemu = await spawnQemu(host, binary, args, run.qemuLog, { netNsPath: '', fds: [] });
    pid = qemu.pid;
    await waitForQmp(run.qmp, qemu.exited);
    const qmp = await qmpOpen(run.qmp);
    try {
      await portsOpened(qmp, devices, qemu.exited);
      if (warm) {
        const at = Date.now();
        await warm(endpointsOf(devices));
        warmUpMs = Date.now() - at;
      }
      await qmp.execute('stop');
      await qmp.execute('migrate-set-capabilities', { capabilities: [{ capability: 'x-ignore-shared', state: true }] });
      await qmp.execute('migrate', { uri: `exec:cat > ${scratch.state}` });
      await waitForMigration(qmp, 'saving the template state');
      await qmp.execute('quit').catch(() => {});
    } finally {
      qmp.close();
    }
    if (!(await host.waitForExit(pid, ourQemu(run.qmp, host), 5_000))) await host.terminate(pid, ourQemu(run.qmp, host));
    pid = null;
    const { inputs, family } = await keyOf(launch, binary);
    await writeFile(scratch.info, JSON.stringify({ key, family, createdAt: new Date().toISOString(), inputs, warmUpMs }) + '\n');
    await removeRunFiles(work, true, socketsOf(devices));
    await rm(join(work, 'share'), { recursive: true, force: true });
    const final = filesOf(settings, key);
    // What a crashed or damaged earlier build left (ensure() found no complete template there).
    if (!(await stat(final.info).catch(() => null))) await rm(final.dir, { recursive: true, force: true });
    await rename(work, final.dir).catch(async (err: NodeJS.ErrnoException) => {
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err;
      await rm(work, { recursive: true, force: true }); // another process built it first
    });
    await pruneStale(host, settings, key, family);
  } catch (err) {
    if (pid !== null) await host.terminate(pid, ourQemu(run.qmp, host));
    const qemuOutput = (await readFile(run.qemuLog, 'utf8').catch(() => '')).trim().split('\n').slice(-5).join('\n');
    await rm(work, { recursive: true, force: true });
    throw new EngineError('HYPERVISOR_FAILED', `building template ${key} failed: ${(err as Error).message}${qemuOutput ? `\n${qemuOutput}` : ''}`, undefined, { cause: err });
  }
}

async function restore(host: Host, env: DriverEnv, settings: TemplateSettings, pod: PodContext, plan: VmLaunchPlan, key: string) {
  const files = filesOf(settings, key);
  if (!(await stat(files.state).catch(() => null)) || !(await stat(files.memory).catch(() => null))) {
    throw new EngineError('HYPERVISOR_FAILED', `template ${key} has no saved state`);
  }
  const run = runFiles(pod.runDir);
  const { binary, launch, devices } = await prepare(pod, env, plan, pod.runDir);
  const vmgenid = randomUUID();
  const args = buildQemuArgs({ ...launch, template: { memPath: files.memory, role: 'clone', vmgenid } });
  const stages: { name: string; ms: number }[] = [];
  const timed = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const at = Date.now();
    const result = await fn();
    stages.push({ name, ms: Date.now() - at });
    return result;
  };
  let pid: number | null = null;
  try {
    await mkdir(pod.runDir, { recursive: true, mode: 0o750 });
    const qemu = await timed('spawn', () => spawnQemu(host, binary, args, run.qemuLog, { netNsPath: plan.netNsPath, fds: [] }));
    pid = qemu.pid;
    await timed('qmp', () => waitForQmp(run.qmp, qemu.exited));
    const qmp = await qmpOpen(run.qmp);
    try {
      await timed('restore', async () => {
        await qmp.execute('migrate-set-capabilities', { capabilities: [{ capability: 'x-ignore-shared', state: true }] });
        await qmp.execute('migrate-incoming', { uri: `exec:cat ${files.state}` });
        await waitForMigration(qmp, `restoring template ${key}`);
      });
      await timed('resume', () => qmp.execute('cont'));
    } finally {
      qmp.close();
    }
    const state: QemuState = {
      pid,
      uuid: launch.uuid,
      accelerator: launch.accelerator,
      qmpSocket: run.qmp,
      consoleSocket: run.console,
      consoleLog: run.consoleLog,
      qemuLog: run.qemuLog,
      netNsPath: plan.netNsPath,
      endpoints: endpointsOf(devices),
      sharedFs: 'virtio-9p',
      virtiofsd: [],
      boot: { mode: 'cloned', template: key, reason: null, agent: "restored running from the template's RAM", stages },
    };
    return { state: QemuStateSchema.parse(state), endpoints: state.endpoints };
  } catch (err) {
    if (pid !== null) await host.terminate(pid, ourQemu(run.qmp, host));
    const qemuOutput = (await readFile(run.qemuLog, 'utf8').catch(() => '')).trim().split('\n').slice(-3).join('\n');
    await removeRunFiles(pod.runDir, false, socketsOf(devices));
    throw new EngineError('HYPERVISOR_FAILED', `cloning template ${key} failed: ${(err as Error).message}${qemuOutput ? `\n${qemuOutput}` : ''}`, undefined, { cause: err });
  }
}

export function createQemuTemplates(env: DriverEnv, host: Host, settings: TemplateSettings): VmTemplates {
  // One build per key at a time within this process; concurrent pods wait for the same build.
  const building = new Map<string, Promise<void>>();
  const exists = async (key: string) => {
    const files = filesOf(settings, key);
    return Boolean((await stat(files.info).catch(() => null)) && (await stat(files.memory).catch(() => null)));
  };
  return {
    async fit(pod, plan): Promise<TemplateFit> {
      if (!settings.enabled) return { ok: false, reason: 'templates are off (PODVISOR_TEMPLATES=off or the engine option)' };
      const blocker = cloneBlocker(pod, plan);
      if (blocker) return { ok: false, reason: blocker };
      const { binary, launch } = await prepare(pod, env, plan, pod.runDir);
      return { ok: true, key: (await keyOf(launch, binary)).key };
    },

    async ensure(pod, plan, key, warm) {
      if (await exists(key)) return { builtMs: 0 };
      const at = Date.now();
      let pending = building.get(key);
      if (!pending) {
        pending = build(host, env, settings, pod, plan, key, warm).finally(() => building.delete(key));
        building.set(key, pending);
      }
      await pending;
      return { builtMs: Date.now() - at };
    },

    clone: (pod, plan, key) => restore(host, env, settings, pod, plan, key),

    async list() {
      const keys = (await readdir(settings.dir).catch(() => [] as string[])).filter((k) => /^[0-9a-f]{16}$/.test(k));
      const infos: TemplateInfo[] = [];
      for (const key of keys) {
        const files = filesOf(settings, key);
        const info = JSON.parse(await readFile(files.info, 'utf8').catch(() => '{}')) as Partial<TemplateInfo>;
        const sizeBytes = (await allocatedBytes(files.memory)) + (await allocatedBytes(files.state));
        infos.push({ key, sizeBytes, createdAt: info.createdAt ?? '', clones: (await mappers(host, files.memory)).length, inputs: info.inputs ?? {}, warmUpMs: info.warmUpMs ?? null });
      }
      return infos;
    },

    async remove(key) {
      const files = filesOf(settings, key);
      if (!/^[0-9a-f]{16}$/.test(key) || !(await stat(files.dir).catch(() => null))) {
        throw new EngineError('INVALID_ARGUMENT', `no template ${key}`);
      }
      const clones = await mappers(host, files.memory);
      if (clones.length) throw new EngineError('INVALID_STATE', `template ${key} is in use by ${clones.length} clone(s) (QEMU pid ${clones.join(', ')})`, { key });
      await rm(files.memory, { force: true });
      await rm(files.dir, { recursive: true, force: true });
    },
  };
}
