// The host seam itself: the Linux host on real processes and a real bind mount (termination that
// escalates, never signals a process that is not ours, a timeout that kills what the program
// started, mount points with a space), and the fake host's mount table and fault plan.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mountPointsOf } from '../../server/engine/host/derived.js';
import { createFakeHost } from '../../server/engine/host/fake.js';
import { parseFaults } from '../../server/engine/host/faults.js';
import { isMountPoint, linuxHost } from '../../server/engine/host/linux.js';

const alive = (pid: number) => linuxHost.cmdline(pid).then((argv) => argv !== null && argv.length > 0);

describe('Linux host', () => {
  it('terminate: SIGKILL after the grace when SIGTERM is ignored; nothing sent to a process that is not ours', async () => {
    const marker = `pv-host-test-${process.pid}`;
    // $0 is the marker: it shows in the shell's argv, as a helper's socket path shows in its own.
    const stubborn = await linuxHost.spawn('sh', ['-c', `trap '' TERM; while :; do sleep 0.1; done`, marker], { logPath: '/dev/null' });
    const ours = async (pid: number) => ((await linuxHost.cmdline(pid)) ?? []).includes(marker);
    await expect.poll(() => ours(stubborn.pid)).toBe(true);
    expect(await linuxHost.terminate(stubborn.pid, async () => false)).toBe(true); // not ours: untouched
    expect(await alive(stubborn.pid)).toBe(true);
    const started = Date.now();
    expect(await linuxHost.terminate(stubborn.pid, ours, { graceMs: 300 })).toBe(true);
    expect(await stubborn.exited).toBe('killed by SIGKILL');
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
  });

  it('waitForExit: a process whose main thread has exited is not gone while another thread still holds its socket', async () => {
    const marker = `pv-host-exiting-${process.pid}`;
    const listen = path.join(mkdtempSync(path.join(tmpdir(), 'pv-exiting-')), 'a.sock');
    // The main thread ends (pthread_exit) and turns zombie; a second thread keeps a listening socket
    // until the test creates `release` — as a SIGKILLed Node helper's threads do while the kernel
    // tears them down. No clock in it: however slow the machine, the process cannot be gone before.
    const release = `${listen}.release`;
    const program = `import os, socket, sys, threading, time, ctypes\ns = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen()\ndef hold():\n  while not os.path.exists(sys.argv[1] + '.release'): time.sleep(0.01)\nthreading.Thread(target=hold).start()\nctypes.CDLL(None).pthread_exit(None)`;
    const child = await linuxHost.spawn('/usr/bin/python3', ['-c', program, listen, marker], { logPath: '/dev/null' });
    const ours = async (pid: number) => ((await linuxHost.cmdline(pid)) ?? []).includes(marker);
    await expect.poll(() => linuxHost.exiting(child.pid), { timeout: 20_000 }).toBe(true);
    expect(await ours(child.pid)).toBe(false); // its argv is gone already
    const waited = linuxHost.waitForExit(child.pid, ours, 60_000);
    const pending = Symbol('pending');
    expect(await Promise.race([waited, new Promise((r) => setTimeout(() => r(pending), 300))])).toBe(pending);
    writeFileSync(release, '');
    expect(await waited).toBe(true);
    expect(await linuxHost.exiting(child.pid)).toBe(false);
    await child.exited;
    rmSync(path.dirname(listen), { recursive: true, force: true });
  });

  it('run: exit codes, stdin and env; a timeout kills the whole process group; a missing program rejects', async () => {
    expect(await linuxHost.run('sh', ['-c', 'read x; echo "$x $GREETING"; echo err >&2; exit 3'], { input: 'hi\n', env: { GREETING: 'there' } })).toEqual({
      stdout: 'hi there',
      stderr: 'err',
      exitCode: 3,
    });
    const r = await linuxHost.run('sh', ['-c', 'sleep 30 & echo $!; wait'], { timeoutMs: 3_000 });
    expect(r.timedOut).toBe(true);
    expect(Number(r.stdout)).toBeGreaterThan(0); // else the check below would pass on nothing
    await expect.poll(() => alive(Number(r.stdout))).toBe(false); // the grandchild went with it
    await expect(linuxHost.run('/nonexistent/program', [])).rejects.toThrow('could not run');
  });

  it('mountinfo: a bind mount whose path holds a space is a mount point until unmounted', async () => {
    const top = mkdtempSync(path.join(tmpdir(), 'pv-host-'));
    const source = path.join(top, 'source');
    const target = path.join(top, 'with space');
    mkdirSync(source);
    mkdirSync(target);
    try {
      await linuxHost.mount(source, target, { bind: true });
      expect(await isMountPoint(target)).toBe(true);
      await linuxHost.mount('', target, { options: ['remount', 'bind', 'ro'] });
      await linuxHost.umount(target);
      expect(await isMountPoint(target)).toBe(false);
      await expect(linuxHost.umount(target)).rejects.toThrow('umount');
    } finally {
      await linuxHost.umount(target, { lazy: true }).catch(() => {});
      rmSync(top, { recursive: true, force: true });
    }
  });
});

describe('fake host', () => {
  it('keeps a mount table from the mounts it is asked for, escaped in its mountinfo as the kernel does', async () => {
    const fake = createFakeHost({ faults: '' });
    await fake.mount('/src', '/run/a b', { bind: true });
    await fake.mount('/src', '/run/a b', { bind: true });
    expect(mountPointsOf('36 1 0:1 / /run/a\\040b rw - fake fake rw')).toEqual(['/run/a b']);
    expect(await fake.mountPoints()).toEqual(['/run/a b', '/run/a b']);
    await fake.umount('/run/a b');
    expect(await fake.isMountPoint('/run/a b')).toBe(true); // one was stacked on the other
    fake.on(/^umount /, { exitCode: 32, stderr: 'target is busy' }, 1);
    await expect(fake.umount('/run/a b')).rejects.toThrow('target is busy');
    expect(fake.lines(/mount/)).toEqual(['mount --bind /src /run/a b', 'mount --bind /src /run/a b', 'umount /run/a b', 'umount /run/a b']);
  });

  it('applies its fault plan once per step, with the code a real failure of that step has', async () => {
    const fake = createFakeHost({ faults: 'hypervisor.startVm:fail,agent.createContainer:c1:die' });
    expect([...fake.faults]).toEqual([['hypervisor.startVm', 'fail'], ['agent.createContainer:c1', 'die']]);
    await expect(fake.checkpoint!('hypervisor.startVm')).rejects.toMatchObject({ code: 'HYPERVISOR_FAILED', details: { step: 'hypervisor.startVm', injected: true } });
    await fake.checkpoint!('hypervisor.startVm');
    expect(fake.steps).toEqual(['hypervisor.startVm', 'hypervisor.startVm']);
    expect(() => parseFaults('network.prepare:explode')).toThrow('is not step:fail or step:die');
  });
});
