// What goes wrong with real VMs: a QEMU killed behind the engine's back is noticed, a create that
// fails leaves nothing behind, and restarting the console server loses no pod.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import path from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { openAuth } from '../../server/auth/index.js';
import { configFromEnv } from '../../server/config.js';
import { runDirFor } from '../../server/engine/index.js';
import { testEngine } from '../helpers/engine.js';
import { processesMentioning, qemuPod, rootfsCopy } from '../helpers/vm.js';

/** A port nothing listens on right now (the OS picks it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const forever = { args: ['sh', '-c', 'while true; do sleep 1; done'], detach: true };

describe('real VM failures', () => {
  it('notices a killed QEMU: the pod is stopped and its helpers are gone', async () => {
    const rootFs = rootfsCopy();
    await using t = testEngine({ lockWaitMs: 120_000, hostPathRoots: [path.dirname(rootFs)] });
    await t.vc.runPod(qemuPod('doomed', [{ id: 'c1', rootFs, cmd: forever }]));
    const { vm } = await t.vc.statusPod('doomed');
    process.kill(vm!.pid, 'SIGKILL');
    // Until QEMU has left /proc the VM may still look alive: wait for the verdict, not a fixed time.
    await expect.poll(async () => (await t.vc.statusPod('doomed')).state, { timeout: 20_000 }).toBe('stopped');
    const status = await t.vc.statusPod('doomed');
    expect(status.containersStatus.map((c) => c.state)).toEqual(['stopped']);
    expect((await t.vc.listPodEvents('doomed')).some((e) => e.call === 'observe' && e.message.includes('VM is gone'))).toBe(true);
    expect(await processesMentioning(runDirFor(path.join(t.dir, 'run'), 'doomed'))).toEqual([]);
    await t.vc.deletePod('doomed');
  }, 180_000);

  // Both launches fail after the kata proxy was started beside them (Agent.prelaunch): the boot's
  // rollback must stop it, or processesMentioning finds it.
  it('a create that fails leaves no process, socket or directory behind', async () => {
    const rootFs = rootfsCopy();
    await using t = testEngine({ lockWaitMs: 120_000, hostPathRoots: [path.dirname(rootFs)] });
    const notAKernel = path.join(t.dir, 'vmlinux');
    writeFileSync(notAKernel, 'this is not a kernel');
    const missing = await t.vc.createPod(qemuPod('bad', [], { hypervisorConfig: { kernelPath: path.join(t.dir, 'no/such/vmlinux') } })).catch((e) => e);
    expect(missing).toMatchObject({ code: 'INVALID_CONFIG', message: expect.stringContaining('kernelPath') });
    const garbage = await t.vc.createPod(qemuPod('bad', [{ id: 'c1', rootFs, cmd: forever }], { hypervisorConfig: { kernelPath: notAKernel } })).catch((e) => e);
    expect(garbage.code).toMatch(/HYPERVISOR_FAILED|AGENT_FAILED|TIMEOUT/);
    expect(await t.vc.listPod()).toEqual([]);
    const runRoot = path.join(t.dir, 'run');
    expect(existsSync(runRoot) ? readdirSync(runRoot).filter((f) => f !== 'accel.json') : []).toEqual([]);
    expect(await processesMentioning(runDirFor(runRoot, 'bad'))).toEqual([]);
  }, 180_000);

  it('restarting the console server while a pod runs loses nothing', async () => {
    await using t = testEngine();
    const port = await freePort();
    const rootFs = rootfsCopy();
    const env = { ...process.env, PORT: String(port), PODVISOR_HOME: t.dir, PODVISOR_RUN_DIR: path.join(t.dir, 'run'), PODVISOR_HOST_PATH_ROOTS: path.dirname(rootFs), NEXT_TELEMETRY_DISABLED: '1' };
    // An operator's API token, made in the database before the server starts, as a script would hold.
    const auth = await openAuth(configFromEnv(env));
    const operator = await auth.users.add({ name: 'ops', role: 'operator', password: 'long enough password' });
    const { token } = await auth.tokens.create(operator.id, { name: 'restart-test', role: 'operator' });
    await auth.close();
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const startServer = async () => {
      const server = execa('node', ['--import', 'tsx', 'server/main.ts'], { env, reject: false });
      for (let i = 0; i < 200; i++) {
        const ok = await fetch(`http://127.0.0.1:${port}/api/trpc/pod.list`, { headers, signal: AbortSignal.timeout(5_000) }).then((r) => r.ok, () => false);
        // Wrapped: returning the execa promise itself would make the caller wait for the server to exit.
        if (ok) return { server };
        await new Promise((r) => setTimeout(r, 250));
      }
      throw new Error('the console server did not come up');
    };
    const call = async (proc: string, input: unknown) => {
      const res = await fetch(`http://127.0.0.1:${port}/api/trpc/${proc}`, { method: 'POST', headers, body: JSON.stringify(input) });
      return (await res.json()) as { result?: { data: unknown }; error?: unknown };
    };
    let { server } = await startServer();
    expect((await call('pod.run', qemuPod('survivor', [{ id: 'c1', rootFs, cmd: forever }]))).result?.data).toBe('survivor');
    server.kill('SIGTERM');
    await server;
    ({ server } = await startServer());
    try {
      const status = await fetch(`http://127.0.0.1:${port}/api/trpc/pod.status?input=${encodeURIComponent(JSON.stringify({ podId: 'survivor' }))}`, { headers }).then((r) => r.json());
      expect(status.result.data).toMatchObject({ state: 'running', containersStatus: [{ state: 'running' }] });
      const ps = await t.vc.processListContainer('survivor', 'c1', {});
      expect(ps).toContain('sleep');
      expect((await call('pod.stop', { podId: 'survivor' })).result?.data).toBe('stopped');
      expect((await call('pod.delete', { podId: 'survivor' })).result?.data).toBe('survivor');
    } finally {
      server.kill('SIGTERM');
      await server;
    }
  }, 240_000);
});
