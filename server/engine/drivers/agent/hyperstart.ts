// The hyperstart agent driver: our guest agent speaking hyperstart on its two ports
// (sh.hyper.channel.0 control, .1 streams), reached through the host-wide ccProxy, with
// virtcontainers' call order: RegisterVM (waits for READY) → STARTPOD; a container's process is
// started by NEWCONTAINER at start, with an I/O token from AttachVM (the proxy gives the token's
// process its stdout/stderr seqs); EXECCMD likewise; KILLCONTAINER, REMOVECONTAINER, PSCONTAINER,
// DESTROYPOD; WINSIZE through the token. One ccShim per process, its PID the process's PID.
import { mkdir, stat } from 'node:fs/promises';
import { z } from 'zod';
import { HYPERSTART_CONTROL_PORT, HYPERSTART_STREAM_PORT } from '../../../guest/protocol/hyperstart/codes.js';
import { EngineError } from '../../errors.js';
import type { Cmd } from '../../types.js';
import type { VmEndpoints } from '../devices.js';
import type { BlockHotplug } from '../hypervisor/types.js';
import { CcClient, CcProxyError } from '../proxy/cc/client.js';
import { ConnectShimResponseSchema, HyperResponseSchema, TokensResponseSchema } from '../proxy/cc/messages.js';
import { proxyHandleOf, socketPathOf, type Proxy, type ProxyHandle } from '../proxy/types.js';
import type { DriverEnv } from '../registry.js';
import type { Shim } from '../shim/types.js';
import type { PodContext } from '../types.js';
import { connectReviving, withConnection, type ConnectionPolicy } from './connection.js';
import { releasePodShare, shareContainerMounts, sharedMountsOf, unshareMounts } from './kata-container-mounts.js';
import { bindRootfs, hostSharedDir, unbindRootfs } from './kata-mounts.js';
import { HYPER_SHARE_TAG, hyperProcessOf, signalNumberOf, startPodOf } from './hyperstart-payloads.js';
import { openHyperstartIo } from './hyperstart-io.js';
import type { Agent } from './types.js';

/** Boot to READY takes 6–10 s under TCG; leave a wide margin. */
const DEFAULT_READY_MS = 120_000;

const HyperStateSchema = z.object({ hyper: z.object({ ctlSerial: z.string(), ioSerial: z.string() }) });
const ContainerStateSchema = z.object({ token: z.string().default(''), shimPid: z.number().int().default(0) }).catch({ token: '', shimPid: 0 });

const notSupported = (message: string, details?: Record<string, unknown>) => new EngineError('NOT_SUPPORTED', message, details);

function serialOf(pod: PodContext, vm: VmEndpoints, name: string): string {
  const socket = vm.serialPorts[name];
  if (!socket) throw new EngineError('AGENT_FAILED', `pod ${pod.id}: the hypervisor gave no endpoint for the ${name} port`);
  return socket;
}

const isUnreachable = (err: unknown) => ['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE'].includes((err as NodeJS.ErrnoException | undefined)?.code ?? '');

function toEngineError(err: unknown, what: string): EngineError {
  if (err instanceof EngineError) return err;
  const message = `${what}: ${err instanceof Error ? err.message : String(err)}`;
  // hyperstart's table has no command for it: a request this agent cannot honour, not a failure.
  if (err instanceof CcProxyError && /hyperstart cannot/.test(err.message)) return new EngineError('NOT_SUPPORTED', message, undefined, { cause: err });
  return new EngineError(/within \d+ ms/.test(message) ? 'TIMEOUT' : 'AGENT_FAILED', message, undefined, { cause: err });
}

/** The cc-proxy protocol's reading of failures, for the shared connection skeleton (connection.ts). */
const HYPER_POLICY: ConnectionPolicy = { isUnreachable, toError: toEngineError };

/** The guest no longer knows the container (its message, through the proxy). */
const isGone = (err: unknown) => err instanceof EngineError && (/not found/.test(err.message) || err.cause instanceof Error && isUnreachable(err.cause));

export function createHyperstartAgent(_env: DriverEnv, proxy: Proxy, shim: Shim, _hotplug?: BlockHotplug): Agent {
  const handleOf = (pod: PodContext): ProxyHandle => {
    const handle = proxyHandleOf(pod.runtime.agent);
    if (!handle?.url) throw new EngineError('AGENT_FAILED', `pod ${pod.id} has no ccProxy (was its sandbox started?)`);
    return handle;
  };

  /** A connection to the proxy; one that is gone is started again by the proxy driver, and tried once more. */
  function connectProxy(pod: PodContext, handle = handleOf(pod)): Promise<CcClient> {
    const path = socketPathOf(handle.url);
    return connectReviving(() => CcClient.connect(path), () => proxy.revive(pod, handle), HYPER_POLICY, `the ccProxy at ${path} (pod ${pod.id})`);
  }

  const withProxy = <T>(pod: PodContext, what: string, fn: (client: CcClient) => Promise<T>, handle = handleOf(pod)): Promise<T> =>
    withConnection(() => connectProxy(pod, handle), fn, HYPER_POLICY, `pod ${pod.id}: ${what}`);

  const hyper = (client: CcClient, pod: PodContext, hyperName: string, data: object | null, tokens: string[] = [], timeoutMs = 60_000) =>
    client.command('Hyper', { containerId: pod.id, hyperName, tokens, data }, timeoutMs).then((body) => HyperResponseSchema.parse(body).data);
  const newToken = async (client: CcClient, pod: PodContext) => TokensResponseSchema.parse(await client.command('AttachVM', { containerId: pod.id, numIOStreams: 1 })).tokens[0]!;

  /** Starts `token`'s process with `send`, then its shim; without a shim the process is killed again. */
  async function startProcess(pod: PodContext, containerId: string, what: string, send: (client: CcClient, token: string) => Promise<unknown>, kill: (client: CcClient) => Promise<unknown>) {
    const token = await withProxy(pod, what, async (client) => {
      const t = await newToken(client, pod);
      await send(client, t);
      return t;
    });
    try {
      const pid = await shim.start(pod, { containerId, token, url: handleOf(pod).url, direct: false });
      return { token, pid, startTime: new Date().toISOString() };
    } catch (err) {
      await withProxy(pod, `kill ${what}`, kill).catch(() => {});
      throw err;
    }
  }

  return {
    async devices(pod) {
      if (pod.config.volumes.length) throw notSupported('the hyperstart agent has no pod volumes (STARTPOD shares one directory): use container bind mounts', { field: 'volumes' });
      await mkdir(hostSharedDir(pod), { recursive: true, mode: 0o750 });
      return [
        { kind: 'serialPort', name: HYPERSTART_CONTROL_PORT },
        { kind: 'serialPort', name: HYPERSTART_STREAM_PORT },
        { kind: 'share', tag: HYPER_SHARE_TAG, hostPath: hostSharedDir(pod), readOnly: false },
      ];
    },

    async startSandbox(pod, vm, network) {
      const ctlSerial = serialOf(pod, vm, HYPERSTART_CONTROL_PORT);
      const ioSerial = serialOf(pod, vm, HYPERSTART_STREAM_PORT);
      const handle = await proxy.start(pod, `unix://${ctlSerial}`);
      const readyTimeoutMs = Number(pod.config.agentConfig['readyTimeoutMs'] ?? DEFAULT_READY_MS);
      const shareFsType = vm.shares[HYPER_SHARE_TAG] === 'virtio-fs' ? 'virtiofs' : '9p';
      try {
        await withProxy(pod, 'start the pod', async (client) => {
          await client.command('RegisterVM', { containerId: pod.id, ctlSerial, ioSerial, numIOStreams: 0, readyTimeoutMs }, readyTimeoutMs + 10_000);
          await hyper(client, pod, 'startpod', startPodOf(pod.config.hostname || pod.id, network, shareFsType), [], 120_000);
        }, handle);
      } catch (err) {
        await withProxy(pod, 'unregister the VM', (c) => c.command('UnregisterVM', { containerId: pod.id }), handle).catch(() => {});
        await proxy.stop(pod, handle);
        throw err;
      }
      return { proxy: { pid: handle.pid, url: handle.url, direct: false, ...(handle.agentUrl ? { agentUrl: handle.agentUrl } : {}) }, hyper: { ctlSerial, ioSerial } };
    },

    async stopSandbox(pod) {
      const handle = proxyHandleOf(pod.runtime.agent);
      if (!handle || !HyperStateSchema.safeParse(pod.runtime.agent).success) return;
      try {
        await withProxy(pod, 'destroy the pod', (c) => hyper(c, pod, 'destroypod', null, [], 15_000), handle);
      } catch (err) {
        pod.log.warn({ err }, 'DESTROYPOD failed; the guest may already be gone');
      }
      await withProxy(pod, 'unregister the VM', (c) => c.command('UnregisterVM', { containerId: pod.id }), handle).catch((err: unknown) => pod.log.warn({ err }, 'UnregisterVM failed'));
      await proxy.stop(pod, handle);
      await shim.stopAll(pod, handle.url);
      await releasePodShare(pod);
    },

    async createContainer(pod, c) {
      const { id, rootFs, readonlyRootfs, deviceInfos } = c.config;
      // What NEWCONTAINER cannot carry is refused before anything is made.
      if (deviceInfos.length) throw notSupported('the hyperstart agent takes no devices (NEWCONTAINER has no device list)', { containerId: id, field: 'deviceInfos' });
      if ((await stat(rootFs).catch(() => null))?.isDirectory() === false) throw notSupported('the hyperstart agent takes a directory rootfs only (no disk image)', { containerId: id, field: 'rootFs' });
      await bindRootfs(pod, id, rootFs, readonlyRootfs);
      try {
        const { mounts, shared } = await shareContainerMounts(pod, c.config);
        const other = mounts.find((m) => m.source.kind !== 'shared');
        if (other) {
          await unshareMounts(pod, shared);
          throw notSupported(`the hyperstart agent mounts only host binds (fsmap), not ${other.type} at ${other.destination}`, { containerId: id, field: 'mounts' });
        }
        const fsmap = mounts.map((m) => ({ source: m.source.kind === 'shared' ? m.source.name : '', path: m.destination, readOnly: (m.options ?? []).includes('ro'), dockerVolume: false, absolutePath: false }));
        return { mounts: shared, fsmap };
      } catch (err) {
        await unbindRootfs(pod, id);
        throw err;
      }
    },

    async startContainer(pod, c) {
      const { id, cmd } = c.config;
      const fsmap = z.array(z.unknown()).catch([]).parse(c.agentState['fsmap'] ?? []);
      const process = await startProcess(
        pod,
        id,
        `start container ${id}`,
        (client, token) => hyper(client, pod, 'newcontainer', { id, image: id, rootfs: 'rootfs', fsmap, process: hyperProcessOf(id, cmd) }, [token], 120_000),
        (client) => hyper(client, pod, 'removecontainer', { container: id }),
      );
      return { process, agentState: { ...c.agentState, token: process.token, shimPid: process.pid } };
    },

    async stopContainer(pod, c) {
      const { id } = c.config;
      try {
        await withProxy(pod, `remove container ${id}`, (client) => hyper(client, pod, 'removecontainer', { container: id }, [], 30_000));
      } catch (err) {
        if (!isGone(err)) throw err;
        pod.log.warn({ err, container: id }, 'container already gone from the guest');
      }
      const { token, shimPid } = ContainerStateSchema.parse(c.agentState);
      if (token) await shim.stop(pod, shimPid, { containerId: id, token });
      await unshareMounts(pod, sharedMountsOf(c.agentState));
      await unbindRootfs(pod, id);
    },

    async signalContainer(pod, c, signal, all) {
      const { id } = c.config;
      await withProxy(pod, `signal container ${id}`, (client) => hyper(client, pod, 'killcontainer', { container: id, signal: signalNumberOf(signal), allProcesses: all }));
    },

    async exec(pod, c, cmd: Cmd) {
      const { id } = c.config;
      // The exec's id in the guest is its token: unique, and what WINSIZE names it by.
      let execToken = '';
      return startProcess(
        pod,
        id,
        `exec in container ${id}`,
        (client, token) => ((execToken = token), hyper(client, pod, 'execcmd', { container: id, process: hyperProcessOf(token, cmd) }, [token], 120_000)),
        // hyperstart cannot signal one exec: its stdin is closed instead, which ends most commands.
        async (client) => {
          await client.command('ConnectShim', { token: execToken });
          await client.writeStdin(Buffer.alloc(0));
        },
      );
    },

    async processList(pod, c, options) {
      const { id } = c.config;
      return withProxy(pod, `list processes of ${id}`, (client) => hyper(client, pod, 'pscontainer', { container: id, format: options.format, psargs: options.args }));
    },

    // No guestStats: the hyperstart protocol has no command that reports a container's
    // resource use (only pscontainer's ps output), so its pods show the VM's figures alone.

    async attach(pod, _c, token) {
      return openHyperstartIo(await connectProxy(pod), token, toEngineError);
    },

    async probeContainer(pod, c) {
      const { token } = ContainerStateSchema.parse(c.agentState);
      if (!token) return { running: false, exitCode: null };
      try {
        const { exitCode } = await withProxy(pod, `probe container ${c.config.id}`, async (client) => ConnectShimResponseSchema.parse(await client.command('ConnectShim', { token })));
        return { running: exitCode === null, exitCode };
      } catch (err) {
        // The proxy no longer knows the token: the VM it belonged to is gone.
        if (err instanceof EngineError && err.cause instanceof CcProxyError && /unknown token/.test(err.message)) return { running: false, exitCode: null };
        throw err;
      }
    },
  };
}
