// Samples every VM's /proc counters at a fixed interval while someone looks (a pod page, the pod
// list, a /metrics scrape), and keeps each pod's history for a bounded window in memory. Rates
// (CPU %, bytes/s) come from two consecutive samples, so a pod's first read only primes it.
// Each round also asks the guest for its own memory view and its containers' cgroup figures
// (containers.ts), side by side with what the host sees of QEMU.
import type { GuestStats, VC } from '../engine/index.js';
import { containerSamples, type ContainerSample } from './containers.js';
import { readProcCounters, type ProcCounters } from './proc.js';

export interface PodSample extends ProcCounters {
  /** Epoch milliseconds. */
  time: number;
  pid: number;
  /** Of one host core: 100 is one core busy all the interval. */
  cpuPercent: number;
  blockReadRate: number;
  blockWriteRate: number;
  netRxRate: number | null;
  netTxRate: number | null;
  /** Memory in use as the guest's kernel sees it (MemTotal − MemAvailable); null where the agent cannot tell. */
  guestMemoryUsedBytes: number | null;
  guestMemoryTotalBytes: number | null;
  /** The guest's containers at this sample; empty where the agent cannot tell (hyperstart) or the read failed. */
  containers: ContainerSample[];
}

export interface SamplerOptions {
  intervalMs: number;
  /** How much history each pod keeps. */
  windowMs: number;
  /** Sampling stops this long after the last look, and starts again at the next. */
  idleMs: number;
}

export interface SamplerDeps {
  /** The pods with a VM process now. */
  vms(): Promise<{ podId: string; pid: number }[]>;
  read(pid: number): Promise<ProcCounters>;
  /** The guest's memory and its containers' cgroup figures; rejects when it cannot tell. */
  guest(podId: string): Promise<GuestStats>;
  now(): number;
}

const num = (value: string | undefined, fallback: number) => (value && Number(value) > 0 ? Number(value) : fallback);

/** PODVISOR_METRICS_INTERVAL_MS (2 s) and PODVISOR_METRICS_WINDOW_S (10 min). */
export function samplerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): SamplerOptions {
  return { intervalMs: num(env['PODVISOR_METRICS_INTERVAL_MS'], 2_000), windowMs: num(env['PODVISOR_METRICS_WINDOW_S'], 600) * 1_000, idleMs: 60_000 };
}

const rate = (now: number | null, before: number | null, seconds: number) => (now === null || before === null ? null : Math.max(0, now - before) / seconds);

export class MetricsSampler {
  private readonly history = new Map<string, PodSample[]>();
  /** The last read of each pod, the base of the next sample's rates. */
  private readonly primed = new Map<string, { time: number; pid: number; counters: ProcCounters; guest: GuestStats }>();
  private timer: NodeJS.Timeout | null = null;
  private lastLook = 0;
  private running: Promise<void> | null = null;

  constructor(
    readonly options: SamplerOptions,
    private readonly deps: SamplerDeps,
  ) {}

  /** Someone looks: sample (now if idle) until idleMs after the last look. */
  touch(): void {
    this.lastLook = this.deps.now();
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.options.intervalMs);
    this.timer.unref();
    void this.tick();
  }

  /** One round over every VM; concurrent callers share the round in flight. */
  tick(): Promise<void> {
    if (this.deps.now() - this.lastLook > this.options.idleMs) this.stop();
    this.running ??= this.sampleAll().finally(() => (this.running = null));
    return this.running;
  }

  private async sampleAll(): Promise<void> {
    const vms = await this.deps.vms().catch(() => []);
    const live = new Set(vms.map((v) => v.podId));
    for (const podId of [...this.primed.keys()]) if (!live.has(podId)) this.primed.delete(podId);
    await Promise.all(vms.map((vm) => this.sampleOne(vm.podId, vm.pid)));
    this.prune();
  }

  private async sampleOne(podId: string, pid: number): Promise<void> {
    let counters: ProcCounters;
    // Asked alongside the /proc read: a guest that does not answer only costs this pod its guest figures.
    const guestRead = this.deps.guest(podId).catch((): GuestStats => ({ memory: null, containers: [] }));
    try {
      counters = await this.deps.read(pid);
    } catch {
      this.primed.delete(podId); // the VM exited between the list and the read
      return;
    }
    const guest = await guestRead;
    const time = this.deps.now();
    const before = this.primed.get(podId);
    this.primed.set(podId, { time, pid, counters, guest });
    // A new QEMU (restarted pod) restarts the counters: its first read only primes.
    if (!before || before.pid !== pid || time <= before.time) return;
    const seconds = (time - before.time) / 1_000;
    const b = before.counters;
    const sample: PodSample = {
      ...counters,
      time,
      pid,
      cpuPercent: Math.round((Math.max(0, counters.cpuSeconds - b.cpuSeconds) / seconds) * 1000) / 10,
      blockReadRate: rate(counters.blockReadBytes, b.blockReadBytes, seconds) ?? 0,
      blockWriteRate: rate(counters.blockWriteBytes, b.blockWriteBytes, seconds) ?? 0,
      netRxRate: rate(counters.netRxBytes, b.netRxBytes, seconds),
      netTxRate: rate(counters.netTxBytes, b.netTxBytes, seconds),
      guestMemoryUsedBytes: guest.memory ? guest.memory.totalBytes - guest.memory.availableBytes : null,
      guestMemoryTotalBytes: guest.memory?.totalBytes ?? null,
      containers: containerSamples(before.guest.containers, guest.containers, seconds),
    };
    const kept = this.history.get(podId) ?? [];
    kept.push(sample);
    this.history.set(podId, kept);
  }

  /** Drops samples older than the window, and pods with none left. */
  private prune(): void {
    const oldest = this.deps.now() - this.options.windowMs;
    for (const [podId, samples] of this.history) {
      const first = samples.findIndex((s) => s.time >= oldest);
      if (first < 0) this.history.delete(podId);
      else if (first > 0) samples.splice(0, first);
    }
  }

  /** The pod's samples within the window, oldest first. */
  podHistory(podId: string): PodSample[] {
    return [...(this.history.get(podId) ?? [])];
  }

  /** Each pod's newest sample, when it is no older than three intervals (else the VM is gone or not sampled). */
  latest(): Map<string, PodSample> {
    const fresh = this.deps.now() - 3 * this.options.intervalMs;
    const out = new Map<string, PodSample>();
    for (const [podId, samples] of this.history) {
      const last = samples.at(-1);
      if (last && last.time >= fresh) out.set(podId, last);
    }
    return out;
  }

  /** Each VM's newest read (counters only), what a scrape reports: it needs no previous read. */
  counters(): Map<string, ProcCounters> {
    return new Map([...this.primed].map(([podId, read]) => [podId, read.counters]));
  }

  /** Each VM's newest guest read, what a scrape reports alongside counters(). */
  guestCounters(): Map<string, GuestStats> {
    return new Map([...this.primed].map(([podId, read]) => [podId, read.guest]));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}

const samplers = new WeakMap<object, MetricsSampler>();

/** The one sampler of an engine, reading the real /proc. */
export function metricsSamplerOf(engine: Pick<VC, 'listPod' | 'podGuestStats'>): MetricsSampler {
  let sampler = samplers.get(engine);
  if (!sampler) {
    sampler = new MetricsSampler(samplerOptionsFromEnv(), {
      vms: async () => (await engine.listPod()).flatMap((p) => (p.vm?.pid ? [{ podId: p.id, pid: p.vm.pid }] : [])),
      read: readProcCounters,
      guest: (podId) => engine.podGuestStats(podId),
      now: Date.now,
    });
    samplers.set(engine, sampler);
  }
  return sampler;
}

/** Stops the engine's sampler, if it has one (the console closing). */
export function stopMetricsSampler(engine: object): void {
  samplers.get(engine)?.stop();
}
