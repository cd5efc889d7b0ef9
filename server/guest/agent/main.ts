// Guest agent entry (bundled to dist/guest/agent.mjs). Serves the host over the virtio-serial
// port, or over a unix socket (`PODVISOR_AGENT_PORT=unix:PATH`) when run on a host for tests.

import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { startupSnapshot } from 'node:v8';
import type { ChannelBase } from '../protocol/channel.js';
import type { ContainerManager } from './containers.js';
import { HYPERSTART_CONTROL_PORT, HYPERSTART_STREAM_PORT } from '../protocol/hyperstart/codes.js';
import { reapOrphanContainers } from './containers.js';
import { serveHyperstart } from './hyperstart/server.js';
import { ListenerChannel } from './listener-channel.js';
import { findExecutable } from './runtime.js';
import { PortChannel } from './port-channel.js';
import { warmUpForSnapshot } from './snapshot-warmup.js';
import { AGENT_VERSION, serveAgent, type AgentOptions } from './server.js';

const env = process.env;
const log = (message: string) => process.stderr.write(`podvisor-agent: ${message}\n`);

function optionsFromEnv(): AgentOptions {
  const stateDir = env['PODVISOR_AGENT_STATE_DIR'] || '/run/podvisor-agent';
  /** Set only when the shared directory is already in place (host tests): nothing to mount then. */
  const presetSharedDir = env['PODVISOR_AGENT_SHARED_DIR'];
  return {
    runtime: {
      crun: env['PODVISOR_CRUN'] || 'crun',
      crunGlobalArgs: ['--root', join(stateDir, 'crun'), ...(env['PODVISOR_CRUN_ARGS'] ?? '').split(' ').filter(Boolean)],
      noPivot: env['PODVISOR_CRUN_NO_PIVOT'] === '1',
      // An image may also ship helpers next to the agent bundle (e.g. /opt/podvisor/script).
      script: findExecutable(env['PODVISOR_SCRIPT'] || 'script', [dirname(process.argv[1] ?? '/')]),
      stty: env['PODVISOR_STTY'] || 'stty',
      ...(presetSharedDir ? {} : { modprobe: 'modprobe' }),
    },
    stateDir,
    sharedDir: presetSharedDir || '/run/kata-containers/shared/containers',
    mountStorages: !presetSharedDir,
    volumesDir: env['PODVISOR_AGENT_VOLUMES_DIR'] || '/run/kata-containers/shared/volumes',
    volumeExports: env['PODVISOR_AGENT_VOLUME_EXPORTS'] || null,
    setHostname: !presetSharedDir,
    network: presetSharedDir ? null : { ip: env['PODVISOR_IP'] || 'ip', sysClassNet: '/sys/class/net', filesDir: join(stateDir, 'network') },
  };
}

const openChannel = (port: string): Promise<ChannelBase> => (port.startsWith('unix:') ? ListenerChannel.listen(port.slice(5)) : PortChannel.open(port));

async function main(): Promise<void> {
  const options = optionsFromEnv();
  // A state dir this start created (the guest's /run is a new tmpfs each boot) has no predecessor's
  // containers: skipping the reap saves `crun list`, ~0.3 s of every cold boot under TCG. An agent
  // restarted in a live VM finds its dir and reaps before serving, so no host call races the reap.
  const fresh = (await mkdir(options.stateDir, { recursive: true })) !== undefined;
  if (!fresh) await reapOrphanContainers(options.runtime, options.stateDir);
  // One image serves both agents: the host adds hyperstart's ports only for a hyperstart pod.
  const hyperControl = env['PODVISOR_HYPER_CONTROL_PORT'] || `/dev/virtio-ports/${HYPERSTART_CONTROL_PORT}`;
  const protocol = env['PODVISOR_AGENT_PROTOCOL'] || (existsSync(hyperControl) ? 'hyperstart' : 'kata');
  let channels: ChannelBase[];
  let manager: ContainerManager;
  if (protocol === 'hyperstart') {
    const hyperStream = env['PODVISOR_HYPER_STREAM_PORT'] || `/dev/virtio-ports/${HYPERSTART_STREAM_PORT}`;
    channels = [await openChannel(hyperControl), await openChannel(hyperStream)];
    const agent = serveHyperstart(channels[0]!, channels[1]!, options);
    manager = agent.manager;
    log(`version ${AGENT_VERSION} speaking hyperstart on ${hyperControl} and ${hyperStream}`);
    void agent.ready(); // written once a host connects: the first frame that host reads
  } else {
    const port = env['PODVISOR_AGENT_PORT'] || '/dev/virtio-ports/agent.channel.0';
    channels = [await openChannel(port)];
    manager = serveAgent(channels[0]!, options).manager;
    log(`version ${AGENT_VERSION} serving on ${port} (${performance.now().toFixed(0)} ms after its start)`);
  }
  const shutdown = () => {
    void manager.removeAll(2_000).finally(() => {
      for (const channel of channels) channel.close();
      process.exit(0);
    });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

function start(): void {
  // Before any fs call starts the pool; here, not at load, so that a snapshot's run sets it too.
  process.env.UV_THREADPOOL_SIZE ??= '16'; // port reads and blocked writes each hold a pool thread
  // Keep serving: losing the agent would orphan every container it tracks.
  process.on('uncaughtException', (err) => log(`uncaught: ${err.stack ?? err}`));
  process.on('unhandledRejection', (err) => log(`unhandled rejection: ${err instanceof Error ? err.stack : String(err)}`));
  main().catch((err: unknown) => {
    log(`fatal: ${err instanceof Error ? err.stack : String(err)}`);
    process.exit(1);
  });
}

// Built into a V8 startup snapshot (docs/agent-snapshot.md), the bundle only loads: the snapshot's
// run calls start() with that run's environment and devices.
if (startupSnapshot.isBuildingSnapshot()) {
  startupSnapshot.setDeserializeMainFunction(start);
  // The event loop runs dry before V8 writes the snapshot, so this finishes first. A warm-up that
  // fails leaves a colder snapshot, not a broken one: logged, and the build goes on.
  const warmStarted = performance.now();
  warmUpForSnapshot({ ...optionsFromEnv(), stateDir: '/nonexistent/podvisor-warm-up' }).then(
    () => log(`snapshot warm-up done in ${(performance.now() - warmStarted).toFixed(0)} ms`),
    (err: unknown) => log(`snapshot warm-up failed (the snapshot is only colder): ${err instanceof Error ? err.message : String(err)}`),
  );
} else start();
