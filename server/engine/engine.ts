// createEngine(): the VC implementation. Every call follows one skeleton: validate (zod, then the
// host-path allowlist) → lock the pod → load → the call's precondition from state.ts → act → commit
// records and events. Reads skip the lock and the commit, not the precondition.
import { createHash } from 'node:crypto';
import path from 'node:path';
import pLimit from 'p-limit';
import pino, { type Logger } from 'pino';
import { z } from 'zod';
import { assetHostPaths, checkAssetAnnotations } from './assets.js';
import { coalesced } from './coalesce.js';
import * as containerOps from './container-ops.js';
import { runDoctor } from './doctor/index.js';
import * as templates from './templates/manage.js';
import { templateSettings, type TemplateSettings } from './templates/types.js';
import { checkDriverCombination, driversFor } from './drivers/registry.js';
import { EngineError, formatZodError, invalidConfig, toEngineError } from './errors.js';
import { podHandle } from './handles.js';
import { linuxHost } from './host/linux.js';
import type { Host } from './host/types.js';
import { defaultHostDevicePatterns, HOST_DEVICE_PATTERNS_SETTING, HostDevicePatternsSchema } from './host-devices.js';
import { checkHostPaths, containerHostPaths, existingRootDirs, HOST_PATH_ROOTS_SETTING, podHostPaths, type HostPathField } from './host-paths.js';
import { containerStatusOf, observe, podStatusOf } from './observe.js';
import { PodLocks } from './pod-lock.js';
import { ProgressHub, StepTrace } from './progress.js';
import * as podOps from './pod-ops.js';
import { Rollback } from './rollback.js';
import { PodSession } from './session.js';
import { checkContainerStorage, checkPodStorage } from './storage.js';
import { removeRunDirSafely } from './run-dir.js';
import { admit, namesContainer, type CallName } from './state.js';
import type { PodRecord, Store } from './store/types.js';
import {
  CmdSchema,
  ContainerConfigSchema,
  EventListOptionsSchema,
  HostPathRootsSchema,
  IdSchema,
  PodConfigSchema,
  ProcessListOptionsSchema,
  SignalSchema,
  type PodConfig,
  type PodConfigInput,
} from './types.js';
import type { VC, VCPod } from './vc.js';

/** Pods observed at once by a ListPod round: enough to overlap QMP and agent round trips, few enough not to swamp 2 cores. */
const LIST_CONCURRENCY = 4;

export interface EngineOptions {
  store: Store;
  /** Root of the per-pod run directories (sockets, console logs). */
  runRoot: string;
  /** Where the cross-process pod locks live. */
  lockDir: string;
  lockWaitMs?: number;
  lockStaleMs?: number;
  log?: Logger;
  /** The folders host paths in configs may resolve into until an admin stores a list (setHostPathRoots). */
  hostPathRoots: string[];
  /** Glob patterns of host devices configs may name until an admin stores a list; PODVISOR_HOST_DEVICES when absent. */
  hostDevicePatterns?: string[];
  /** What the engine and its drivers touch the machine through; the Linux host unless a test fakes it. */
  host?: Host;
  /** VM templating: on unless PODVISOR_TEMPLATES=off; templates kept in `<runRoot>-templates` (templates/types.ts). */
  templates?: Partial<TemplateSettings>;
}

/** Keeps run directories short: socket paths in them must stay under 107 bytes. */
export function runDirFor(runRoot: string, podId: string): string {
  if (podId.length <= 24) return path.join(runRoot, podId);
  const hash = createHash('sha256').update(podId).digest('hex').slice(0, 8);
  return path.join(runRoot, `${podId.slice(0, 15)}-${hash}`);
}

/** Calls recorded by adapters are named like the API's own (`terminalSession`), never free text. */
const RecordedCallSchema = z.string().regex(/^[a-z][A-Za-z]{1,40}$/, 'must be a camelCase call name');

function parseId(what: 'Pod' | 'Container', id: unknown): string {
  const r = IdSchema.safeParse(id);
  if (!r.success) throw new EngineError('INVALID_ARGUMENT', `${what} ID ${r.error.issues[0]?.message ?? 'is invalid'}`);
  return r.data;
}

function parseWith<T>(schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: import('zod').ZodError } }, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw invalidConfig(r.error, what);
  return r.data;
}

export function createEngine(opts: EngineOptions): VC {
  const { store, runRoot } = opts;
  const log = opts.log ?? pino({ level: 'warn' }, pino.destination(2));
  const locks = new PodLocks(opts.lockDir, opts.lockWaitMs ?? 180_000, opts.lockStaleMs);
  const env = { runRoot, host: opts.host ?? linuxHost, templates: templateSettings(runRoot, opts.templates) };
  const defaultRoots = opts.hostPathRoots.map((r) => path.resolve(r));
  const progress = new ProgressHub();

  async function hostPathRoots(): Promise<string[]> {
    const stored = await store.getSetting(HOST_PATH_ROOTS_SETTING);
    if (stored === null) return [...defaultRoots];
    const r = HostPathRootsSchema.safeParse(stored);
    // A damaged list must not widen access: refuse rather than fall back to the defaults.
    if (!r.success) throw new EngineError('STORE_FAILED', `The stored host path roots are damaged: ${formatZodError(r.error)}`);
    return r.data;
  }
  const defaultDevicePatterns = opts.hostDevicePatterns ?? defaultHostDevicePatterns();
  async function hostDevicePatterns(): Promise<string[]> {
    const stored = await store.getSetting(HOST_DEVICE_PATTERNS_SETTING);
    if (stored === null) return [...defaultDevicePatterns];
    const r = HostDevicePatternsSchema.safeParse(stored);
    if (!r.success) throw new EngineError('STORE_FAILED', `The stored host device patterns are damaged: ${formatZodError(r.error)}`);
    return r.data;
  }
  const allowHostPaths = async (fields: HostPathField[]) => checkHostPaths(fields, await hostPathRoots(), await hostDevicePatterns());

  const session = async (pod: PodRecord, isNew = false) =>
    new PodSession(pod, isNew ? [] : await store.listContainers(pod.id), driversFor(pod.config, env), runDirFor(runRoot, pod.id), log.child({ pod: pod.id }), isNew);

  const load = async (podId: string) => {
    const pod = await store.getPod(podId);
    if (!pod) throw new EngineError('POD_NOT_FOUND', `Pod "${podId}" does not exist`, { podId });
    return session(pod);
  };

  const handleOf = (s: PodSession): VCPod => podHandle(s.pod, [...s.containers.values()], writers);

  /** The table's judgement of `call` on the session (the named container looked up first); see state.admit. */
  const admitted = (call: CallName, s: PodSession, containerId: string | null): string | null =>
    admit(call, {
      pod: s.pod,
      container: containerId !== null && namesContainer(call) ? s.container(containerId) : undefined,
      containers: [...s.containers.values()],
    });

  /**
   * Commits what `act` did as one step; if `act` or the commit fails, the undos `act` registered run.
   * The call's steps are reported as they run, and their durations kept on its event.
   */
  const actAndCommit = (s: PodSession, call: CallName, containerId: string | null, act: (rb: Rollback) => Promise<string>) =>
    Rollback.guard(s.log, async (rb) => {
      const trace = (s.trace = new StepTrace(s.id, call, progress));
      const message = trace.withSteps(await act(rb));
      await s.step(`store.commit:${call}`, () => store.commit(s.id, s.change(call, containerId, message)));
    });

  /**
   * The skeleton of every mutating call; `act` runs only if the precondition admits the call, and
   * returns the message recorded in the pod's timeline. A refusal is recorded as a failed call.
   */
  async function mutate(call: CallName, podIdInput: string, containerId: string | null, act: (s: PodSession, rb: Rollback) => Promise<string>): Promise<PodSession> {
    const podId = parseId('Pod', podIdInput);
    const release = await locks.acquire(podId);
    try {
      const s = await load(podId).catch((err) => (call === 'deletePod' ? removeOrphan(podId, err) : Promise.reject(err)));
      try {
        const done = admitted(call, s, containerId);
        await actAndCommit(s, call, containerId, async (rb) => done ?? (await act(s, rb)));
        return s;
      } catch (err) {
        const e = toEngineError(err);
        await store.commit(podId, s.failure(call, containerId, e)).catch((cerr) => log.error({ err: cerr }, 'could not record a failure event'));
        throw e;
      }
    } finally {
      await release();
    }
  }

  /** The skeleton of every read: the pod as observed (see `observed`), or as recorded, admitted by the table. */
  async function read(call: CallName, podIdInput: string, containerId: string | null, how: 'observe' | 'load'): Promise<PodSession> {
    const s = how === 'observe' ? await observed(podIdInput) : await load(parseId('Pod', podIdInput));
    admitted(call, s, containerId);
    return s;
  }

  /** Reads the pod, then lets `observe` correct what died; records the correction when the lock is free. */
  async function observed(podIdInput: string): Promise<PodSession> {
    const podId = parseId('Pod', podIdInput);
    const s = await load(podId);
    const change = await observe(s, { locked: false });
    if (!change) return s;
    const release = await locks.acquire(podId, 2_000).catch(() => null);
    if (!release) return s; // someone else is mutating the pod; they will see the same facts
    try {
      const fresh = await load(podId);
      const message = await observe(fresh, { locked: true });
      if (message) await store.commit(podId, fresh.change('observe', null, message));
      return fresh;
    } finally {
      await release();
    }
  }

  /**
   * ListPod observes every pod (its VM over QMP, each running container through its agent). Pods
   * are observed a few at a time rather than one after another, and concurrent callers (every open
   * console page, the metrics sampler) share rounds (coalesce.ts): under 20 TCG pods and 50 polling
   * clients, one round per caller had made a list take 36 s.
   */
  const listPodRound = coalesced(async () => {
    const observeOne = pLimit(LIST_CONCURRENCY);
    const statuses = await Promise.all(
      (await store.listPods()).map((pod) =>
        observeOne(() =>
          read('listPod', pod.id, null, 'observe').then(podStatusOf, (err: unknown) => {
            log.warn({ err, pod: pod.id }, 'listPod: pod skipped');
            return null;
          }),
        ),
      ),
    );
    return statuses.filter((s) => s !== null);
  });

  const writers = {
    async setAnnotations(podId: string, annotations: Record<string, string>) {
      const valid = parseWith(PodConfigSchema.shape.annotations, annotations, 'annotations');
      // Custom-asset annotations set later take effect at the next boot: same checks as at create.
      await allowHostPaths(assetHostPaths(valid));
      checkAssetAnnotations(valid);
      await mutate('setAnnotations', podId, null, async (s) => {
        s.pod = { ...s.pod, config: { ...s.pod.config, annotations: { ...s.pod.config.annotations, ...valid } } };
        return `annotations set: ${Object.keys(valid).join(', ')}`;
      });
    },
    async setPid(podId: string, containerId: string, pid: number) {
      if (!Number.isInteger(pid) || pid < 0) throw new EngineError('INVALID_ARGUMENT', 'PID must be a non-negative integer');
      await mutate('setPid', podId, containerId, async (s) => {
        const c = s.container(containerId);
        s.putContainer({ ...c, process: { token: c.process?.token ?? '', startTime: c.process?.startTime ?? '', pid } });
        return `pid set to ${pid}`;
      });
    },
  };

  /**
   * Under the pod's lock no create is running, so a run dir without a record is what a create that
   * died left (its mock VM, its mounts): deleting the pod that never was removes it, then says so.
   */
  async function removeOrphan(podId: string, notFound: unknown): Promise<never> {
    if (notFound instanceof EngineError && notFound.code === 'POD_NOT_FOUND') await removeRunDirSafely(runDirFor(runRoot, podId), env.host);
    throw notFound;
  }

  async function createPod(input: PodConfigInput): Promise<VCPod> {
    const config: PodConfig = parseWith(PodConfigSchema, input, 'pod configuration');
    checkDriverCombination(config);
    await allowHostPaths([...podHostPaths(config), ...assetHostPaths(config.annotations)]);
    checkAssetAnnotations(config.annotations);
    await checkPodStorage(config);
    const release = await locks.acquire(config.id);
    try {
      if (await store.getPod(config.id)) throw new EngineError('POD_EXISTS', `Pod "${config.id}" already exists`, { podId: config.id });
      const now = new Date().toISOString();
      const s = await session({ id: config.id, state: 'ready', config: { ...config, containers: [] }, runtime: { hypervisor: {}, agent: {}, network: {} }, createdAt: now }, true);
      for (const c of config.containers) {
        s.putContainer({ podId: config.id, id: c.id, state: 'ready', config: c, process: null, agentState: {}, exitCode: null, createdAt: now });
      }
      // Until the commit the VM is on no record: if recording fails, boot's undos leave nothing running.
      await actAndCommit(s, 'createPod', null, (rb) => podOps.createPod(s, rb));
      return handleOf(s);
    } finally {
      await release();
    }
  }

  const containerCall = (call: CallName, act: (s: PodSession, id: string, rb: Rollback) => Promise<string>) => async (podId: string, containerId: string) => {
    const id = parseId('Container', containerId);
    const s = await mutate(call, podId, id, (s, rb) => act(s, id, rb));
    return handleOf(s).getContainer(id)!;
  };

  const vc: VC = {
    createPod,
    async runPod(input) {
      const pod = await createPod(input);
      return vc.startPod(pod.id());
    },
    deletePod: async (id) => handleOf(await mutate('deletePod', id, null, podOps.deletePod)),
    startPod: async (id) => handleOf(await mutate('startPod', id, null, podOps.startPod)),
    stopPod: async (id) => handleOf(await mutate('stopPod', id, null, podOps.stopPod)),
    pausePod: async (id) => handleOf(await mutate('pausePod', id, null, podOps.pausePod)),
    resumePod: async (id) => handleOf(await mutate('resumePod', id, null, podOps.resumePod)),
    listPod: listPodRound,
    statusPod: async (id) => podStatusOf(await read('statusPod', id, null, 'observe')),
    fetchPod: async (id) => handleOf(await read('fetchPod', id, null, 'load')),

    async createContainer(podId, input) {
      const config = parseWith(ContainerConfigSchema, input, 'container configuration');
      await allowHostPaths(containerHostPaths(config));
      // A pod's volumes never change after CreatePod: reading them before the lock is safe.
      const record = await store.getPod(parseId('Pod', podId));
      if (record) await checkContainerStorage(config, record.config);
      const s = await mutate('createContainer', podId, config.id, (s, rb) => containerOps.createContainer(s, config, rb));
      const pod = handleOf(s);
      return { pod, container: pod.getContainer(config.id)! };
    },
    startContainer: containerCall('startContainer', containerOps.startContainer),
    stopContainer: containerCall('stopContainer', (s, id) => containerOps.stopContainer(s, id)),
    async deleteContainer(podId, containerId) {
      const id = parseId('Container', containerId);
      let deleted: ReturnType<VCPod['getContainer']>;
      await mutate('deleteContainer', podId, id, async (s) => {
        deleted = handleOf(s).getContainer(id);
        return containerOps.deleteContainer(s, id);
      });
      return deleted!;
    },
    async killContainer(podId, containerId, signalInput, all) {
      const id = parseId('Container', containerId);
      const signal = parseWith(SignalSchema, signalInput, 'signal');
      await mutate('killContainer', podId, id, (s) => containerOps.killContainer(s, id, String(signal), all));
    },
    async enterContainer(podId, containerId, cmdInput) {
      const id = parseId('Container', containerId);
      const cmd = parseWith(CmdSchema, cmdInput, 'command');
      let process!: Awaited<ReturnType<VC['enterContainer']>>['process'];
      // Entering changes no record; the lock only keeps a concurrent stop from racing the exec.
      const s = await mutate('enterContainer', podId, id, async (s) => {
        process = await s.step(`agent.exec:${id}`, () => s.drivers.agent.exec(s.context(), s.containerContext(s.container(id)), cmd));
        return `entered: ${cmd.args.join(' ')} (token ${process.token})`;
      });
      const pod = handleOf(s);
      return { pod, container: pod.getContainer(id)!, process };
    },
    async statusContainer(podId, containerId) {
      const id = parseId('Container', containerId);
      return containerStatusOf(await read('statusContainer', podId, id, 'observe'), id);
    },
    async processListContainer(podId, containerId, optionsInput) {
      const id = parseId('Container', containerId);
      const options = parseWith(ProcessListOptionsSchema, optionsInput ?? {}, 'process list options');
      const s = await read('processListContainer', podId, id, 'observe');
      return s.drivers.agent.processList(s.context(), s.containerContext(s.container(id)), options);
    },
    async podGuestStats(podId) {
      // As recorded: the sampler calls this every interval, and probing each time would double its cost.
      const s = await read('podGuestStats', podId, null, 'load');
      const { guestStats } = s.drivers.agent;
      if (!guestStats) throw new EngineError('NOT_SUPPORTED', `pod ${s.id}: the ${s.pod.config.agentType} agent cannot report guest statistics`, { agentType: s.pod.config.agentType });
      return guestStats.call(s.drivers.agent, s.context());
    },
    async attachProcess(podId, containerId, token) {
      const id = parseId('Container', containerId);
      // As recorded: observing would probe the VM and every container on each attach.
      const s = await read('attachProcess', podId, id, 'load');
      return s.drivers.agent.attach(s.context(), s.containerContext(s.container(id)), token);
    },
    async recordPodEvent(podId, event) {
      const s = await read('recordPodEvent', podId, null, 'load');
      const call = parseWith(RecordedCallSchema, event.call, 'event call');
      await store.commit(s.id, {
        events: [{ podId: s.id, call, containerId: event.containerId ?? null, outcome: event.failed ? 'error' : 'ok', errorCode: null, message: event.message.slice(0, 2_000), fromState: null, toState: null }],
      });
    },
    async listPodSummaries() {
      const [pods, running] = await Promise.all([store.listPods(), store.lastEntered('running')]);
      return pods.map((p) => ({ id: p.id, state: p.state, config: p.config, createdAt: p.createdAt, runningSince: running.get(p.id) ?? null }));
    },
    async listPodEvents(podId, options) {
      const s = await read('listPodEvents', podId, null, 'load');
      const { limit } = parseWith(EventListOptionsSchema, options ?? {}, 'event list options');
      return store.listEvents(s.id, limit);
    },
    hostPathRoots,
    async setHostPathRoots(input) {
      const roots = await existingRootDirs(parseWith(z.object({ roots: HostPathRootsSchema }), { roots: input }, 'host path roots').roots);
      await store.putSetting(HOST_PATH_ROOTS_SETTING, roots);
      return roots;
    },
    hostDevicePatterns,
    async setHostDevicePatterns(input) {
      const patterns = [...new Set(parseWith(z.object({ patterns: HostDevicePatternsSchema }), { patterns: input }, 'host device patterns').patterns)];
      await store.putSetting(HOST_DEVICE_PATTERNS_SETTING, patterns);
      return patterns;
    },
    doctor: (options) => runDoctor({ store, runRoot, locks, host: env.host, log, observe: async (id) => (await observed(id)).pod.state }, options),
    listTemplates: () => templates.listTemplates(env),
    buildTemplate: (input) => templates.buildTemplate(env, parseWith(PodConfigSchema, input, 'pod configuration'), log),
    removeTemplate: (key) => templates.removeTemplate(env, key),
    generation: () => store.generation(),
    onProgress: (listener) => progress.on(listener),
    close: () => store.close(),
  };
  return vc;
}
