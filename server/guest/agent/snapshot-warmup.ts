// Run while `node --build-snapshot` builds the agent's V8 snapshot (docs/agent-snapshot.md): the
// code a pod's first calls take, run once, so that the snapshot holds it compiled. V8 compiles a
// function at its first call and the snapshot keeps what was compiled; under TCG a cold agent's
// first validation of CreateSandbox took ~45 ms and of CreateContainer ~60 ms, ~10x what a
// warmed-up snapshot takes (measured on the host: 2.0 → 0.2 ms and 1.1 → 0.06 ms).
//
// Only what has no effect outside this process runs: the handshake, Check and Version over an
// in-memory channel, calls about a container that does not exist (each refused before it acts),
// and the validation of the requests a pod's start sends (validated here, never handled: their
// handlers mount, spawn and set the hostname). And one child process, `true`, with the piped stdio
// every helper and crun get: a cold agent's first spawn blocked its event loop ~80 ms under TCG,
// against ~17 ms for the next, mostly compiling child_process's and net's stream code.
import { AgentClient } from '../protocol/client.js';
import { createMemoryChannelPair } from '../protocol/channel.js';
import { AGENT_OPS, type AgentOpName } from '../protocol/ops.js';
import { buildConfig } from './oci-spec.js';
import { runChecked } from './runtime.js';
import { serveAgent, type AgentOptions } from './server.js';

const PROCESS = { args: ['sh', '-c', 'true'], env: ['PATH=/bin'], cwd: '/', terminal: false, stdin: false };

/** The requests a pod's start sends, as the host drivers build them (kata.ts, kata-warmup.ts). */
const STARTUP_REQUESTS: { [K in AgentOpName]?: unknown } = {
  CreateSandbox: {
    sandboxId: 'warm',
    hostname: 'warm',
    storages: [{ source: 'kataShared', fstype: 'virtiofs', options: [], mountPoint: '/run/kata-containers/shared/containers' }],
    volumes: [],
    network: { interfaces: [], routes: [], dns: { nameservers: [], search: [], domain: '' } },
    identity: { timeMs: 1, seed: 'AAAA' },
  },
  CreateContainer: { containerId: 'warm', readonlyRootfs: false, process: PROCESS, mounts: [], devices: [], rootfsBlock: null },
  ExecProcess: { containerId: 'warm', execId: 'e', process: PROCESS },
};

/** Calls a container that does not exist: dispatch, validation and the refusal, with no effect. */
const REFUSED_CALLS: [AgentOpName, unknown][] = [
  ['ContainerStatus', { containerId: 'absent' }],
  ['StartContainer', { containerId: 'absent' }],
  ['Attach', { containerId: 'absent', execId: 'absent' }],
  ['WaitProcess', { containerId: 'absent', execId: 'absent' }],
  ['SignalProcess', { containerId: 'absent', execId: '', signal: 'SIGTERM' }],
];

export async function warmUpForSnapshot(options: AgentOptions): Promise<void> {
  for (const [op, body] of Object.entries(STARTUP_REQUESTS)) AGENT_OPS[op as AgentOpName].request.parse(body);
  JSON.stringify(buildConfig({ containerId: 'warm', rootfs: '/warm', readonlyRootfs: false, hostname: 'warm', process: PROCESS, networkFiles: { dir: '/warm', names: ['hosts'] }, mounts: [] }));
  // Exited and its pipes closed before the event loop runs dry: the snapshot holds no live handle.
  await runChecked('true', []);
  const [guestEnd, hostEnd] = createMemoryChannelPair();
  serveAgent(guestEnd, options);
  const client = await AgentClient.connect(hostEnd, { timeoutMs: 10_000 });
  try {
    await client.call('Check', {});
    await client.call('Version', {});
    for (const [op, body] of REFUSED_CALLS) {
      const refused = await client.request(op, body, { timeoutMs: 10_000 }).then(
        () => false,
        () => true,
      );
      if (!refused) throw new Error(`warm-up: ${op} of a container that does not exist was not refused`);
    }
  } finally {
    client.close();
    guestEnd.close();
  }
}
