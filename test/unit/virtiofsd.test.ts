// The virtio-fs side of the qemu driver: which transport a share gets, virtiofsd's command line,
// and its start and reaping through the host seam (a fake host: no process is run).
import { describe, expect, it } from 'vitest';
import { podSharedFs, shareFs, startVirtiofsd, stopVirtiofsd, VIRTIOFSD, virtiofsdArgs } from '../../server/engine/drivers/hypervisor/qemu/virtiofsd.js';
import { createFakeHost } from '../../server/engine/host/fake.js';

describe('podSharedFs', () => {
  it('defaults to virtio-fs where virtiofsd exists, else 9p; an explicit 9p is kept either way', () => {
    expect(podSharedFs('', true)).toBe('virtio-fs');
    expect(podSharedFs('', false)).toBe('virtio-9p');
    expect(podSharedFs('virtio-9p', true)).toBe('virtio-9p');
    expect(podSharedFs('virtio-fs', true)).toBe('virtio-fs');
  });

  it('refuses an explicit virtio-fs on a host without virtiofsd, naming the field', () => {
    expect(() => podSharedFs('virtio-fs', false)).toThrow(expect.objectContaining({ code: 'NOT_SUPPORTED', details: { field: 'hypervisorConfig.sharedFs' } }));
  });

  it('keeps read-only shares on 9p, which QEMU enforces (C virtiofsd has no read-only export)', () => {
    expect(shareFs('virtio-fs', true)).toBe('virtio-9p');
    expect(shareFs('virtio-fs', false)).toBe('virtio-fs');
    expect(shareFs('virtio-9p', false)).toBe('virtio-9p');
  });
});

describe('virtiofsdArgs', () => {
  it('serves one directory from the engine mount namespace, submounts announced; commas in the path escaped', () => {
    expect(virtiofsdArgs('/run/pv/p1/vfs1.sock', '/data/a,b\\c')).toMatchInlineSnapshot(`
      [
        "--socket-path=/run/pv/p1/vfs1.sock",
        "-o",
        "source=/data/a\\,b\\\\c",
        "-o",
        "sandbox=chroot",
        "-o",
        "announce_submounts",
        "-o",
        "cache=auto",
      ]
    `);
  });
});

describe('startVirtiofsd / stopVirtiofsd', () => {
  const share = { tag: 'kataShared', hostPath: '/run/pv/p1/shared', socketPath: '/run/pv/p1/vfs0.sock' };

  it('returns once the socket exists, and terminates the daemon it recognises by its socket argument', async () => {
    const host = createFakeHost();
    host.files.set(share.socketPath, { kind: 'other', major: 0, minor: 0, executable: false });
    const d = await startVirtiofsd(host, share, '/run/pv/p1/virtiofsd.log');
    expect(host.calls[0]).toMatchObject({ cmd: VIRTIOFSD, opts: { logPath: '/run/pv/p1/virtiofsd.log' } });
    expect(host.calls[0]!.opts.netns).toBeUndefined();
    expect(host.processes.has(d.pid)).toBe(true);
    await stopVirtiofsd(host, d);
    expect(host.processes.has(d.pid)).toBe(false);
  }, 10_000);

  it('leaves a reused PID alone: a process whose argv names another socket is not ours', async () => {
    const host = createFakeHost();
    const other = await host.spawn(VIRTIOFSD, virtiofsdArgs('/run/pv/p2/vfs0.sock', '/x'));
    await stopVirtiofsd(host, { ...share, pid: other.pid });
    expect(host.processes.has(other.pid)).toBe(true);
  });
});
