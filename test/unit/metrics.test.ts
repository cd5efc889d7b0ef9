// The host-side metrics: /proc parsers on captured text, the sampler's rates, window and idle stop
// on a fake clock, and the /metrics exposition pinned as Prometheus text.
import { describe, expect, it } from 'vitest';
import { exposition } from '../../server/metrics/exposition.js';
import { parseMemAvailable } from '../../server/metrics/host.js';
import { parseIo, parseNetDev, parseRssBytes, parseStatTicks, readProcCounters, type ProcCounters } from '../../server/metrics/proc.js';
import type { ContainerStats, GuestStats } from '../../server/engine/index.js';
import { containerSamples } from '../../server/metrics/containers.js';
import { MetricsSampler } from '../../server/metrics/sampler.js';

const MiB = 1024 * 1024;

const STAT = '4242 (qemu-system-x86) weird) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 3 0 100 1000000 5000 18446744073709551615';
const NET_DEV = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:    9999      10    0    0    0     0          0         0     9999      10    0    0    0     0       0          0
  eth0:    1500      12    0    0    0     0          0         0      700       8    0    0    0     0       0          0
tap0_kata:  500       3    0    0    0     0          0         0      300       2    0    0    0     0       0          0
`;

describe('/proc parsers', () => {
  it('reads utime + stime after the last ")" of comm', () => expect(parseStatTicks(STAT)).toBe(300));
  it('reads VmRSS in bytes', () => expect(parseRssBytes('Name:\tqemu\nVmRSS:\t  2048 kB\n')).toBe(2048 * 1024));
  it('reads storage bytes, not rchar', () => expect(parseIo('rchar: 99\nwchar: 98\nread_bytes: 4096\nwrite_bytes: 8192\n')).toEqual({ readBytes: 4096, writeBytes: 8192 }));
  it('sums interfaces but lo', () => expect(parseNetDev(NET_DEV)).toEqual({ rxBytes: 2000, txBytes: 1000 }));
  it('reads MemAvailable', () => expect(parseMemAvailable('MemTotal: 1000 kB\nMemFree: 10 kB\nMemAvailable: 600 kB\n')).toEqual({ totalBytes: 1_024_000, availableBytes: 614_400 }));
  it('reads this process, which shares our netns, with no network figures', async () => {
    const c = await readProcCounters(process.pid);
    expect(c.rssBytes).toBeGreaterThan(0);
    expect(c.netRxBytes).toBeNull();
  });
});

function counters(cpuSeconds: number, extra: Partial<ProcCounters> = {}): ProcCounters {
  return { cpuSeconds, rssBytes: 100, blockReadBytes: 0, blockWriteBytes: 0, netRxBytes: null, netTxBytes: null, ...extra };
}

function fakeSampler(reads: Map<number, ProcCounters>, vms: { podId: string; pid: number }[], guests = new Map<string, GuestStats>()) {
  const clock = { now: 0 };
  const sampler = new MetricsSampler({ intervalMs: 1_000, windowMs: 5_000, idleMs: 60_000 }, {
    vms: async () => vms,
    read: async (pid) => {
      const c = reads.get(pid);
      if (!c) throw new Error('gone');
      return c;
    },
    guest: async (podId) => {
      const guest = guests.get(podId);
      if (!guest) throw Object.assign(new Error('not supported'), { code: 'NOT_SUPPORTED' });
      return guest;
    },
    now: () => clock.now,
  });
  return { sampler, clock };
}

describe('MetricsSampler', () => {
  it('primes on the first read, then derives CPU % and byte rates from consecutive reads', async () => {
    const reads = new Map([[7, counters(10, { blockReadBytes: 0, netRxBytes: 0, netTxBytes: 0 })]]);
    const { sampler, clock } = fakeSampler(reads, [{ podId: 'p1', pid: 7 }]);
    await sampler.tick();
    expect(sampler.podHistory('p1')).toEqual([]);
    expect(sampler.counters().get('p1')?.cpuSeconds).toBe(10);
    clock.now = 2_000;
    reads.set(7, counters(11, { blockReadBytes: 4096, netRxBytes: 2000, netTxBytes: 1000 }));
    await sampler.tick();
    const [s] = sampler.podHistory('p1');
    expect(s).toMatchObject({ time: 2_000, pid: 7, cpuPercent: 50, blockReadRate: 2048, netRxRate: 1000, netTxRate: 500 });
    expect(sampler.latest().get('p1')?.cpuPercent).toBe(50);
  });

  it('keeps only the window, and a new QEMU PID starts from a fresh prime', async () => {
    const reads = new Map([[7, counters(0)]]);
    const vms = [{ podId: 'p1', pid: 7 }];
    const { sampler, clock } = fakeSampler(reads, vms);
    for (let t = 0; t <= 10_000; t += 1_000) {
      clock.now = t;
      reads.set(7, counters(t / 1_000));
      await sampler.tick();
    }
    const times = sampler.podHistory('p1').map((s) => s.time);
    expect(times[0]).toBe(5_000);
    expect(times.at(-1)).toBe(10_000);
    vms[0] = { podId: 'p1', pid: 8 };
    reads.set(8, counters(0));
    clock.now = 11_000;
    await sampler.tick();
    expect(sampler.podHistory('p1').at(-1)?.time).toBe(10_000);
  });

  it('drops a VM that exited between the list and the read, and says nothing stale', async () => {
    const reads = new Map([[7, counters(0)]]);
    const { sampler, clock } = fakeSampler(reads, [{ podId: 'p1', pid: 7 }]);
    await sampler.tick();
    clock.now = 1_000;
    await sampler.tick();
    reads.delete(7);
    clock.now = 10_000;
    await sampler.tick();
    expect(sampler.counters().size).toBe(0);
    expect(sampler.latest().size).toBe(0);
  });
});

const stat = (containerId: string, cpuUsageUsec: number | null, memoryBytes: number | null = 1_000): ContainerStats => ({ containerId, cpuUsageUsec, memoryBytes });

describe('container samples', () => {
  it('gives CPU % of one CPU from the usage_usec delta, memory as read', () => {
    expect(containerSamples([stat('busy', 1_000_000), stat('idle', 500)], [stat('busy', 2_900_000, 4096), stat('idle', 20_500)], 2)).toEqual([
      { containerId: 'busy', cpuPercent: 95, memoryBytes: 4096 },
      { containerId: 'idle', cpuPercent: 1, memoryBytes: 1_000 },
    ]);
  });
  it('has no CPU figure on a first read, a new cgroup (usage went back) or no usage_usec', () => {
    expect(containerSamples([stat('old', 5_000_000), stat('blind', null)], [stat('new', 10), stat('old', 10), stat('blind', null)], 1).map((c) => c.cpuPercent)).toEqual([null, null, null]);
  });
});

describe('MetricsSampler per container', () => {
  it('samples each container with the pod, and keeps the newest read for scrapes', async () => {
    const reads = new Map([[7, counters(0)]]);
    const memory = { totalBytes: 512 * MiB, availableBytes: 400 * MiB };
    const guests = new Map([['p1', { memory, containers: [stat('busy', 0, 8192), stat('idle', 0)] }]]);
    const { sampler, clock } = fakeSampler(reads, [{ podId: 'p1', pid: 7 }], guests);
    await sampler.tick();
    clock.now = 2_000;
    guests.set('p1', { memory: { ...memory, availableBytes: 300 * MiB }, containers: [stat('busy', 1_800_000, 8192), stat('idle', 20_000)] });
    await sampler.tick();
    expect(sampler.podHistory('p1').at(-1)?.containers).toEqual([
      { containerId: 'busy', cpuPercent: 90, memoryBytes: 8192 },
      { containerId: 'idle', cpuPercent: 1, memoryBytes: 1_000 },
    ]);
    expect(sampler.podHistory('p1').at(-1)).toMatchObject({ guestMemoryUsedBytes: 212 * MiB, guestMemoryTotalBytes: 512 * MiB });
    expect(sampler.guestCounters().get('p1')?.containers.map((c) => c.cpuUsageUsec)).toEqual([1_800_000, 20_000]);
  });

  it('still samples the VM of a pod whose agent cannot tell (hyperstart), with no containers', async () => {
    const reads = new Map([[7, counters(0)]]);
    const { sampler, clock } = fakeSampler(reads, [{ podId: 'p1', pid: 7 }]);
    await sampler.tick();
    clock.now = 1_000;
    reads.set(7, counters(0.5));
    await sampler.tick();
    expect(sampler.podHistory('p1').at(-1)).toMatchObject({ cpuPercent: 50, guestMemoryUsedBytes: null, containers: [] });
  });
});

describe('/metrics exposition', () => {
  it('is Prometheus text with podvisor_ names, one series per pod, and pods per state', async () => {
    const text = await exposition({
      samples: new Map([
        ['web-1', counters(12.5, { rssBytes: 1_048_576, blockReadBytes: 4096, blockWriteBytes: 512, netRxBytes: 2000, netTxBytes: 1000 })],
        ['db', counters(1, { rssBytes: 2048 })],
      ]),
      guests: new Map([
        ['web-1', { memory: { totalBytes: 512 * MiB, availableBytes: 448 * MiB }, containers: [stat('httpd', 2_500_000, 3_145_728), stat('sidecar', 1_000, null)] }],
        ['db', { memory: null, containers: [] }],
      ]),
      podStates: [
        { podId: 'web-1', state: 'running' },
        { podId: 'db', state: 'running' },
        { podId: 'old', state: 'stopped' },
      ],
      hostMemoryAvailableBytes: 123_456,
    });
    expect(text).toMatchSnapshot();
    for (const line of text.split('\n').filter((l) => l && !l.startsWith('#'))) expect(line).toMatch(/^podvisor_[a-z_]+(\{[a-z]+="[^"]*"(,[a-z]+="[^"]*")*\})? -?[0-9.e+]+$/);
    // No network series for a pod whose traffic the host cannot tell apart.
    expect(text).not.toMatch(/network_receive_bytes_total\{pod="db"\}/);
    expect(text).toMatch(/^podvisor_container_cpu_seconds_total\{pod="web-1",container="httpd"\} 2\.5$/m);
    expect(text).toMatch(/^podvisor_container_memory_bytes\{pod="web-1",container="httpd"\} 3145728$/m);
    expect(text).toMatch(/^podvisor_pod_guest_memory_used_bytes\{pod="web-1"\} 67108864$/m);
    expect(text).not.toMatch(/guest_memory_used_bytes\{pod="db"\}/);
    // No memory series for a container whose cgroup has no memory controller.
    expect(text).not.toMatch(/container_memory_bytes\{pod="web-1",container="sidecar"\}/);
  });
});
