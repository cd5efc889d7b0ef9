// Guest agent entry (bundled to dist/guest/agent.mjs). Serves the host over the virtio-serial
// port, or over a unix socket (`PODVISOR_AGENT_PORT=unix:PATH`) when run on a host for tests.
process.env.UV_THREADPOOL_SIZE ??= '16'; // port reads and blocked writes each hold a pool thread

import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { ChannelBase } from '../protocol/channel.js';
import { reapOrphanContainers } from './containers.js';
import { ListenerChannel } from './listener-channel.js';
import { findExecutable } from './runtime.js';
import { PortChannel } from './port-channel.js';
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

async function main(): Promise<void> {
  const options = optionsFromEnv();
  await mkdir(options.stateDir, { recursive: true });
  await reapOrphanContainers(options.runtime, options.stateDir);
  const port = env['PODVISOR_AGENT_PORT'] || '/dev/virtio-ports/agent.channel.0';
  const channel: ChannelBase = port.startsWith('unix:') ? await ListenerChannel.listen(port.slice(5)) : await PortChannel.open(port);
  const { manager } = serveAgent(channel, options);
  log(`version ${AGENT_VERSION} serving on ${port}`);
  const shutdown = () => {
    void manager.removeAll(2_000).finally(() => {
      channel.close();
      process.exit(0);
    });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

// Keep serving: losing the agent would orphan every container it tracks.
process.on('uncaughtException', (err) => log(`uncaught: ${err.stack ?? err}`));
process.on('unhandledRejection', (err) => log(`unhandled rejection: ${err instanceof Error ? err.stack : String(err)}`));
main().catch((err: unknown) => {
  log(`fatal: ${err instanceof Error ? err.stack : String(err)}`);
  process.exit(1);
});
