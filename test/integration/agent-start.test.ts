// How the guest agent starts (the cold-boot path, docs/agent-snapshot.md), on the host with real
// crun: a fresh state dir skips the orphan reap, and the agent run from a V8 startup snapshot of
// dist/guest/agent-snapshot.cjs reads its environment at run time and runs containers.
import { execFileSync } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectAgentSocket } from '../../server/guest/protocol/connect.js';
import { hostAgentUnavailable, makeBusyboxRootfs, startHostAgent } from '../../server/guest/testing/host-agent.js';

const unavailable = hostAgentUnavailable();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp('/tmp/pv-agent-start-');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.skipIf(unavailable !== null)('agent start', () => {
  it('skips the orphan reap when its state dir is new (a fresh guest /run), so no crun call precedes serving', async () => {
    const log = join(dir, 'crun-calls');
    const wrapper = join(dir, 'crun');
    await writeFile(wrapper, `#!/bin/sh\necho "$*" >>${log}\nexec crun "$@"\n`);
    await chmod(wrapper, 0o755);
    process.env['PODVISOR_CRUN'] = wrapper;
    const agentDir = join(dir, 'fresh');
    try {
      const agent = await startHostAgent(agentDir, ['dist/guest/agent.mjs']);
      try {
        const client = await connectAgentSocket(agent.socketPath);
        expect((await client.call('Check', {})).body.serving).toBe(true);
        client.close();
        expect(await readFile(log, 'utf8').catch(() => '')).not.toMatch(/\blist\b/);
      } finally {
        await agent.stop();
      }
      // The same state dir again, as after the agent's respawn in a live guest: now it reaps.
      const again = await startHostAgent(agentDir, ['dist/guest/agent.mjs']);
      await again.stop();
      expect(await readFile(log, 'utf8')).toMatch(/\blist -q\b/);
    } finally {
      delete process.env['PODVISOR_CRUN'];
    }
  });

  it('runs from a V8 startup snapshot of the CommonJS bundle: serves, and runs a container', async () => {
    const blob = join(dir, 'agent.blob');
    execFileSync(process.execPath, ['--snapshot-blob', blob, '--build-snapshot', 'dist/guest/agent-snapshot.cjs'], { stdio: 'ignore' });
    const agent = await startHostAgent(join(dir, 'snap'), ['--snapshot-blob', blob, 'dist/guest/agent.mjs']);
    try {
      const client = await connectAgentSocket(agent.socketPath);
      expect((await client.call('Check', {})).body.serving).toBe(true);
      await makeBusyboxRootfs(join(agent.sharedDir, 'c1', 'rootfs'));
      await client.call('CreateContainer', { containerId: 'c1', process: { args: ['sh', '-c', 'exit 7'] } });
      await client.call('StartContainer', { containerId: 'c1' });
      const { body } = await client.call('WaitProcess', { containerId: 'c1', execId: 'c1' }, { timeoutMs: 20_000 });
      expect(body.exitCode).toBe(7);
      client.close();
      // Its env was read when it ran, not when the snapshot was built: it serves on this test's socket.
      expect(agent.output()).toContain(`serving on unix:${agent.socketPath}`);
    } finally {
      await agent.stop();
    }
  });
});
