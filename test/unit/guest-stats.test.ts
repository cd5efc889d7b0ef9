// The guest agent's own figures (server/guest/agent/guest-stats.ts): parsers on captured text, a
// container's figures from a fake cgroup2 tree laid out where crun puts them, and /proc/meminfo.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseCpuUsageUsec, parseMeminfo, parseMemoryCurrent, readContainerCgroup, readGuestMemory } from '../../server/guest/agent/guest-stats.js';
import { buildConfig, cgroupsPathOf } from '../../server/guest/agent/oci-spec.js';

const CPU_STAT = 'usage_usec 1234567\nuser_usec 1000000\nsystem_usec 234567\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n';

describe('cgroup v2 parsers', () => {
  it('reads usage_usec, not user_usec or throttled_usec', () => expect(parseCpuUsageUsec(CPU_STAT)).toBe(1_234_567));
  it('has no usage without the line', () => expect(parseCpuUsageUsec('nr_periods 0\n')).toBeNull());
  it('reads memory.current', () => expect(parseMemoryCurrent('4194304\n')).toBe(4_194_304));
  it('refuses what is not a number', () => expect(parseMemoryCurrent('max\n')).toBeNull());
});

describe('readContainerCgroup', () => {
  let root = '';
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('reads the cgroup the OCI config names, and nothing for a container without one', async () => {
    root = await mkdtemp(join(tmpdir(), 'pv-cgroup-'));
    const config = buildConfig({ containerId: 'web', rootfs: '/r', readonlyRootfs: false, hostname: 'h', process: {}, networkFiles: null, mounts: [] }) as { linux: { cgroupsPath: string } };
    expect(config.linux.cgroupsPath).toBe(cgroupsPathOf('web'));
    const dir = join(root, config.linux.cgroupsPath);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'cpu.stat'), CPU_STAT);
    await writeFile(join(dir, 'memory.current'), '8192\n');
    expect(await readContainerCgroup('web', root)).toEqual({ cpuUsageUsec: 1_234_567, memoryBytes: 8192 });
    expect(await readContainerCgroup('other', root)).toBeNull();
  });

  it('has no memory figure without the memory controller', async () => {
    root = await mkdtemp(join(tmpdir(), 'pv-cgroup-'));
    await mkdir(join(root, cgroupsPathOf('c')), { recursive: true });
    await writeFile(join(root, cgroupsPathOf('c'), 'cpu.stat'), CPU_STAT);
    expect(await readContainerCgroup('c', root)).toEqual({ cpuUsageUsec: 1_234_567, memoryBytes: null });
  });
});

describe('guest memory', () => {
  const MEMINFO = 'MemTotal:         501876 kB\nMemFree:          300000 kB\nMemAvailable:     412345 kB\nBuffers:            1000 kB\n';
  it('reads MemTotal and MemAvailable, not MemFree', () => expect(parseMeminfo(MEMINFO)).toEqual({ totalBytes: 501_876 * 1024, availableBytes: 412_345 * 1024 }));
  it('has no figure without MemAvailable (kernels before 3.14)', () => expect(parseMeminfo('MemTotal: 1 kB\nMemFree: 1 kB\n')).toBeNull());
  it('reads this system, whose memory is in use', async () => {
    const m = await readGuestMemory();
    expect(m!.availableBytes).toBeLessThan(m!.totalBytes);
  });
  it('has none when the file cannot be read', async () => expect(await readGuestMemory('/nonexistent/meminfo')).toBeNull());
});
