// The kata agent driver: talks to our guest agent through the pod's kata proxy, with the call
// order of upstream's kata_agent.go (Check → CreateSandbox; CreateContainer with execId = cid;
// exec ids are UUIDs; stop = RemoveContainer; stop pod = DestroySandbox). One shim per process.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import type { AgentClient } from '../../../guest/protocol/client.js';
import { connectAgentSocket } from '../../../guest/protocol/connect.js';
import type { ProcessSpec } from '../../../guest/protocol/ops.js';
import { EngineError } from '../../errors.js';
import type { Cmd } from '../../types.js';
import type { Proxy } from '../proxy/types.js';
import { proxyHandleOf } from '../proxy/types.js';
import type { DriverEnv } from '../registry.js';
import type { Shim } from '../shim/types.js';
import type { VmEndpoints } from '../devices.js';
import type { PodContext } from '../types.js';
import { agentCodeOf, isUnreachable, openClient, proxyOf, withAgent } from './kata-connection.js';
import { openProcessIo } from './kata-io.js';
import { plugContainerBlocks, pluggedBlocksOf, unplugContainerBlocks } from './block-devices.js';
import type { BlockHotplug } from '../hypervisor/types.js';
import { openPolledProcessIo } from './kata-io-polled.js';
import { releasePodShare, shareContainerMounts, sharedMountsOf, unshareMounts, type SharedMount } from './kata-container-mounts.js';
import { bindRootfs, hostSharedDir, SHARED_TAG, sharedStorage, unbindRootfs, volumeShares, volumeStorages } from './kata-mounts.js';
import { kataContainerStateOf } from './kata-state.js';
import { warmTemplateAgent } from './kata-warmup.js';
import type { Agent } from './types.js';

/** Boot to a serving agent takes 6–10 s under TCG; leave a wide margin. */
const DEFAULT_AGENT_READY_MS = 120_000;

export function processSpecOf(cmd: Cmd): ProcessSpec {
  return {
    args: cmd.args,
    env: cmd.envs.map((e) => `${e.var}=${e.value}`),
    cwd: cmd.workDir,
    user: cmd.user,
    primaryGroup: cmd.primaryGroup,
    supplementaryGroups: cmd.supplementaryGroups,
    noNewPrivileges: cmd.noNewPrivileges,
    ...(cmd.capabilities ? { capabilities: cmd.capabilities } : {}),
    terminal: cmd.interactive && cmd.console !== '',
    stdin: cmd.interactive,
  };
}

/** noProxy waits with this: our handshake, as the proxy itself speaks no protocol. */
const probeAgent = async (path: string, timeoutMs: number) => (await connectAgentSocket(path, timeoutMs)).close();

/** The virtio-serial port our guest agent listens on (upstream kata's name). */
export const AGENT_PORT_NAME = 'agent.channel.0';

function agentSocketOf(pod: PodContext, vm: VmEndpoints): string {
  const socket = vm.serialPorts[AGENT_PORT_NAME];
  if (!socket) throw new EngineError('AGENT_FAILED', `pod ${pod.id}: the hypervisor gave no endpoint for the ${AGENT_PORT_NAME} port`);
  return socket;
}

export function createKataAgent(_env: DriverEnv, proxy: Proxy, shim: Shim, hotplug?: BlockHotplug): Agent {
  // Every process gets a detached shim, whatever its Cmd.detach: the engine never hands its own
  // stdio (or a tty a config names) to a shim, since its caller may be the console server or a
  // script capturing stdout. The process's stdio stays in the agent for attach (the CLI follows a
  // non-detached container through it, server/cli/foreground.ts).
  // With noProxy the URL is the agent's own socket: `direct` tells the shim there is no proxy to own it.
  const startShim = (pod: PodContext, containerId: string, token: string) =>
    shim.start(pod, { containerId, token, url: proxyOf(pod).url, direct: proxyOf(pod).direct });
  // A proxy may die while its VM lives (kill -9, the OOM killer): each call lets the proxy driver
  // start a new one and tries once more, so the pod stays controllable.
  const reviveOf = (pod: PodContext, handle = proxyOf(pod)) => () => proxy.revive(pod, handle);
  const withPodAgent = <T>(pod: PodContext, what: string, fn: (client: AgentClient) => Promise<T>) => {
    const handle = proxyOf(pod);
    return withAgent(pod, what, fn, handle, reviveOf(pod, handle));
  };

  return {
    async devices(pod) {
      await mkdir(hostSharedDir(pod), { recursive: true, mode: 0o750 });
      return [
        { kind: 'serialPort', name: AGENT_PORT_NAME },
        { kind: 'share', tag: SHARED_TAG, hostPath: hostSharedDir(pod), readOnly: false },
        ...volumeShares(pod.config.volumes),
      ];
    },

    async prelaunch(pod, serialSockets) {
      // noProxy's start is the wait for the agent itself: nothing to win by starting it early.
      const socket = serialSockets[AGENT_PORT_NAME];
      if (proxy.direct || !socket) return null;
      const handle = await proxy.start(pod, socket, probeAgent);
      return { proxy: handle, undo: () => proxy.stop(pod, handle) };
    },

    async startSandbox(pod, vm, network, prelaunched) {
      const socket = agentSocketOf(pod, vm);
      // A proxy started during the launch serves the socket the VM did open, or it goes.
      const early = prelaunched?.proxy.agentUrl === socket ? prelaunched.proxy : null;
      if (prelaunched && !early) await prelaunched.undo();
      const handle = early ?? (await proxy.start(pod, socket, probeAgent));
      const readyMs = Number(pod.config.agentConfig['readyTimeoutMs'] ?? DEFAULT_AGENT_READY_MS);
      try {
        await withAgent(pod, 'create the sandbox', async (client) => {
          await client.call('Check', {}, { timeoutMs: readyMs });
          const volumes = volumeStorages(pod.config.volumes, vm);
          // identity: a VM cloned from a template must not keep its template's clock and random state.
          const identity = { timeMs: Date.now(), seed: randomBytes(64).toString('base64') };
          await client.call('CreateSandbox', { sandboxId: pod.id, hostname: pod.config.hostname || pod.id, storages: [sharedStorage(vm)], volumes, network, identity });
        }, handle);
      } catch (err) {
        await proxy.stop(pod, handle);
        throw err;
      }
      return { proxy: { pid: handle.pid, url: handle.url, direct: handle.direct, ...(handle.agentUrl ? { agentUrl: handle.agentUrl } : {}) } };
    },

    async stopSandbox(pod) {
      const handle = proxyHandleOf(pod.runtime.agent);
      if (!handle) return;
      try {
        await withPodAgent(pod, 'destroy the sandbox', (client) => client.call('DestroySandbox', {}, { timeoutMs: 15_000 }));
      } catch (err) {
        pod.log.warn({ err }, 'DestroySandbox failed; the guest may already be gone');
      }
      await proxy.stop(pod, handle);
      // Shims of processes nobody stopped would otherwise linger until they give up reconnecting.
      await shim.stopAll(pod, handle.url);
      await releasePodShare(pod);
    },

    async createContainer(pod, c) {
      const { id, rootFs, readonlyRootfs, cmd } = c.config;
      // Disks first (a rootfs image, deviceInfos of type b): the guest waits for them to appear.
      const blocks = await plugContainerBlocks(pod, c.config, hotplug);
      let shared: SharedMount[] = [];
      try {
        if (!blocks.rootfs) await bindRootfs(pod, id, rootFs, readonlyRootfs);
        const made = await shareContainerMounts(pod, c.config);
        shared = made.shared;
        const request = { containerId: id, readonlyRootfs, process: processSpecOf(cmd), mounts: made.mounts, devices: blocks.devices, rootfsBlock: blocks.rootfs };
        await withPodAgent(pod, `create container ${id}`, (client) => client.call('CreateContainer', request)).catch((err: unknown) => {
          // The guest has no such character device: the config asks for what this VM cannot give.
          if (agentCodeOf(err) === 'NOT_SUPPORTED') throw new EngineError('NOT_SUPPORTED', (err as Error).message, { containerId: id }, { cause: err });
          throw err;
        });
      } catch (err) {
        await unshareMounts(pod, shared);
        await unbindRootfs(pod, id);
        await unplugContainerBlocks(pod, blocks.plugged, hotplug).catch((e: unknown) => pod.log.warn({ err: e }, 'a disk stays plugged after a failed create'));
        throw err;
      }
      return { mounts: shared, blocks: blocks.plugged };
    },

    async startContainer(pod, c) {
      const { id } = c.config;
      const { body } = await withPodAgent(pod, `start container ${id}`, (client) => client.call('StartContainer', { containerId: id }, { timeoutMs: 60_000 }));
      const process = { token: id, pid: await startShim(pod, id, id), startTime: new Date().toISOString() };
      return { process, agentState: { ...c.agentState, guestPid: body.pid, shimPid: process.pid } };
    },

    async stopContainer(pod, c) {
      const { id } = c.config;
      try {
        await withPodAgent(pod, `remove container ${id}`, (client) => client.call('RemoveContainer', { containerId: id }, { timeoutMs: 20_000 }));
      } catch (err) {
        const gone = isUnreachable(err) || agentCodeOf(err) === 'NOT_FOUND';
        if (!gone) throw err;
        pod.log.warn({ err, container: id }, 'container already gone from the guest');
      }
      // The init's shim exits on its own once the process is gone; make sure of it.
      await shim.stop(pod, kataContainerStateOf(c.agentState).shimPid, { containerId: id, token: id });
      await unshareMounts(pod, sharedMountsOf(c.agentState));
      await unbindRootfs(pod, id);
      // Only once the guest removed the container: it no longer holds the disks.
      await unplugContainerBlocks(pod, pluggedBlocksOf(c.agentState), hotplug);
    },

    async signalContainer(pod, c, signal, all) {
      const { id } = c.config;
      await withPodAgent(pod, `signal container ${id}`, (client) => client.call('SignalProcess', { containerId: id, execId: all ? '' : id, signal }));
    },

    async exec(pod, c, cmd) {
      const { id } = c.config;
      const execId = randomUUID();
      await withPodAgent(pod, `exec in container ${id}`, (client) => client.call('ExecProcess', { containerId: id, execId, process: processSpecOf(cmd) }, { timeoutMs: 60_000 }));
      try {
        return { token: execId, pid: await startShim(pod, id, execId), startTime: new Date().toISOString() };
      } catch (err) {
        // Without its shim the process has no PID the engine could track: do not leave it running.
        await withPodAgent(pod, `kill exec ${execId}`, (client) => client.call('SignalProcess', { containerId: id, execId, signal: 'SIGKILL' })).catch(() => {});
        throw err;
      }
    },

    async processList(pod, c, options) {
      const { id } = c.config;
      const { body } = await withPodAgent(pod, `list processes of ${id}`, (client) =>
        client.call('ListProcesses', { containerId: id, format: options.format, args: options.args }, { timeoutMs: 60_000 }),
      );
      return options.format === 'json' ? JSON.stringify(body.processes ?? []) : body.output;
    },

    warmTemplate: (vm) => warmTemplateAgent(vm, AGENT_PORT_NAME),

    async guestStats(pod) {
      const { body } = await withPodAgent(pod, 'read guest statistics', (client) => client.call('GuestStats', {}));
      return body;
    },

    async attach(pod, c, token) {
      const handle = proxyOf(pod);
      const ref = { containerId: c.config.id, execId: token };
      // noProxy: the agent's socket takes one client at a time, so a follower must not keep it.
      return handle.direct ? openPolledProcessIo(() => openClient(handle, reviveOf(pod, handle)), ref) : openProcessIo(await openClient(handle, reviveOf(pod, handle)), ref);
    },

    async probeContainer(pod, c) {
      const { id } = c.config;
      try {
        const { body } = await withPodAgent(pod, `probe container ${id}`, (client) => client.call('ContainerStatus', { containerId: id }));
        return { running: body.status !== 'stopped', exitCode: body.exitCode };
      } catch (err) {
        // The agent no longer knows the container (e.g. the agent restarted): it is not running.
        if (agentCodeOf(err) === 'NOT_FOUND') return { running: false, exitCode: null };
        throw err;
      }
    },
  };
}
