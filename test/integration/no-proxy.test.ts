// noProxy and the kata shim that goes with it, against a stand-in agent on a real unix socket that
// serves one connection at a time (as QEMU's serial chardev does): the boot wait, the direct shim's
// polling until the process exits, and its exit code.
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createNoProxy } from '../../server/engine/drivers/proxy/no.js';
import { directShimArgs } from '../../server/engine/drivers/shim/kata.js';
import type { PodContext } from '../../server/engine/drivers/types.js';
import { PodConfigSchema } from '../../server/engine/types.js';
import { SocketChannel } from '../../server/guest/protocol/channel.js';
import { ServerEndpoint } from '../../server/guest/protocol/endpoint.js';
import { ProtocolError, type Request } from '../../server/guest/protocol/messages.js';
import { EXIT_LOST, runDirectShim } from '../../server/host-procs/proxy/direct-shim.js';

const dir = mkdtempSync(path.join(tmpdir(), 'pv-noproxy-'));
const servers: Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** An agent that answers each request with `answer` (undefined: never answers), one client at a time. */
function standInAgent(socketPath: string, answer: (request: Request) => { body: unknown } | { error: unknown } | undefined) {
  const requests: string[] = [];
  let connections = 0;
  const server = createServer({ pauseOnConnect: false }, (socket) => {
    connections++;
    const endpoint: ServerEndpoint = new ServerEndpoint(new SocketChannel(socket), {
      onRequest: (request) => {
        requests.push(request.op);
        const outcome = answer(request);
        if (outcome) void endpoint.reply(request, outcome);
      },
    });
  });
  server.maxConnections = 1;
  servers.push(server);
  return { listen: () => new Promise<void>((r) => server.listen(socketPath, r)), requests, connections: () => connections };
}

const pod = (): PodContext => ({
  id: 'p',
  config: PodConfigSchema.parse({ id: 'p', hypervisorType: 'qemu', agentType: 'kata', proxyType: 'noProxy', shimType: 'kataShim' }),
  runDir: dir,
  runtime: { hypervisor: {}, agent: {}, network: {} },
  log: pino({ level: 'silent' }),
});

describe('noProxy', () => {
  it('waits for an agent whose socket appears later, then hands out the socket itself, no process', async () => {
    const socketPath = path.join(dir, 'late.sock');
    const agent = standInAgent(socketPath, () => ({ body: {} }));
    const started = createNoProxy(30_000).start(pod(), socketPath);
    setTimeout(() => void agent.listen(), 300);
    expect(await started).toEqual({ pid: 0, url: `unix://${socketPath}`, direct: true });
    expect(agent.connections()).toBe(1);
  });

  it('fails with AGENT_FAILED naming the socket when nothing answers in time', async () => {
    const socketPath = path.join(dir, 'never.sock');
    await expect(createNoProxy(500).start(pod(), socketPath)).rejects.toMatchObject({ code: 'AGENT_FAILED', message: expect.stringContaining(socketPath) });
  });
});

describe('the direct kata shim', () => {
  it('polls WaitProcess, letting go of the socket each time, and returns the exit code', async () => {
    const socketPath = path.join(dir, 'wait.sock');
    let polls = 0;
    // The first two polls find the process running (no answer within the poll's wait), the third its exit.
    const agent = standInAgent(socketPath, (r) => (r.op === 'WaitProcess' && ++polls >= 3 ? { body: { exitCode: 7, runtimeMs: 1 } } : undefined));
    await agent.listen();
    let ready = false;
    const code = await runDirectShim({ agentSocket: socketPath, containerId: 'c', execId: 'e', log: () => {}, onReady: () => (ready = true), pollMs: 10, waitMs: 200 });
    // At least the two unanswered polls and the answered one, each on a connection of its own.
    expect({ code, ready, connections: agent.connections() }).toEqual({ code: 7, ready: true, connections: polls });
    expect(polls).toBeGreaterThanOrEqual(3);
  });

  it('exits 255 when the agent forgot the process, or stays unreachable', async () => {
    const socketPath = path.join(dir, 'gone.sock');
    await standInAgent(socketPath, () => ({ error: new ProtocolError('NOT_FOUND', 'no such process') })).listen();
    expect(await runDirectShim({ agentSocket: socketPath, containerId: 'c', execId: 'e', log: () => {}, onReady: () => {}, pollMs: 10 })).toBe(EXIT_LOST);
    const lost: string[] = [];
    const code = await runDirectShim({ agentSocket: path.join(dir, 'nothing.sock'), containerId: 'c', execId: 'e', log: (m) => lost.push(m), onReady: () => {}, pollMs: 10, maxFailures: 3 });
    expect({ code, failures: lost.length }).toEqual({ code: EXIT_LOST, failures: 3 });
  });

  it('is started with the agent socket, the process and its marker in its argv', () => {
    const args = directShimArgs({ containerId: 'c1', token: 'x-1', url: 'unix:///run/p/agent.channel.0.sock', direct: true });
    expect(args.slice(-9)).toEqual(['--direct-shim', '--agent', '/run/p/agent.channel.0.sock', '--container', 'c1', '--exec', 'x-1', '--marker', 'c1/x-1']);
  });
});

process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
