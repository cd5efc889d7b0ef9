// The hyperstart agent driver: our guest agent speaking hyperstart on its two ports
// (sh.hyper.channel.0 control, .1 streams), with virtcontainers' call order: READY → STARTPOD; a
// container's process is started by NEWCONTAINER at start with a fresh I/O token (its stdout and
// stderr seqs); EXECCMD likewise; KILLCONTAINER, REMOVECONTAINER, PSCONTAINER, DESTROYPOD; WINSIZE
// for a process. One ccShim per process, its PID the process's PID. How the guest is reached is the
// link's: the host-wide ccProxy (hyperstart-cc.ts), or by itself with noProxy (hyperstart-direct.ts).
import { mkdir, stat } from 'node:fs/promises';
import { z } from 'zod';
import { EngineError } from '../../errors.js';
import { linuxHost } from '../../host/linux.js';
import type { Cmd } from '../../types.js';
import type { BlockHotplug } from '../hypervisor/types.js';
import type { Proxy } from '../proxy/types.js';
import type { DriverEnv } from '../registry.js';
import type { Shim } from '../shim/types.js';
import type { PodContext } from '../types.js';
import { releasePodShare, shareContainerMounts, sharedMountsOf, unshareMounts } from './kata-container-mounts.js';
import { bindRootfs, hostSharedDir, unbindRootfs } from './kata-mounts.js';
import { createCcLink } from './hyperstart-cc.js';
import { createDirectLink } from './hyperstart-direct.js';
import { isGoneErrno } from './connection.js';
import type { HyperProcessRef } from './hyperstart-link.js';
import { HYPER_SHARE_TAG, hyperProcessOf, signalNumberOf, startPodOf } from './hyperstart-payloads.js';
import type { Agent } from './types.js';

/** Boot to READY takes 6–10 s under TCG; leave a wide margin. */
const DEFAULT_READY_MS = 120_000;

const ContainerStateSchema = z.object({ token: z.string().default(''), shimPid: z.number().int().default(0) }).catch({ token: '', shimPid: 0 });

const notSupported = (message: string, details?: Record<string, unknown>) => new EngineError('NOT_SUPPORTED', message, details);

/** The guest no longer knows the container (its message), or the VM is unreachable. */
const isGone = (err: unknown) => err instanceof EngineError && (/not found/.test(err.message) || isGoneErrno(err.cause));

export function createHyperstartAgent(_env: DriverEnv, proxy: Proxy, shim: Shim, _hotplug?: BlockHotplug): Agent {
  const link = proxy.direct ? createDirectLink(proxy, _env.host ?? linuxHost) : createCcLink(proxy);

  /** Starts a process with `send` on a fresh token, then its shim; without a shim the process is killed again. */
  async function startProcess(pod: PodContext, containerId: string, guestProcess: (token: string) => string, send: (token: string) => Promise<unknown>, kill: (ref: HyperProcessRef) => Promise<unknown>) {
    const token = await link.newToken(pod);
    await send(token);
    const ref = { containerId, token, guestProcess: guestProcess(token) };
    try {
      const pid = await shim.start(pod, link.shimParams(pod, ref));
      return { token, pid, startTime: new Date().toISOString() };
    } catch (err) {
      await kill(ref).catch(() => {});
      throw err;
    }
  }

  /** The guest's id of `token`'s process in `c`: its init carries the container's token. */
  const refOf = (c: { config: { id: string }; agentState: unknown }, token: string): HyperProcessRef => ({
    containerId: c.config.id,
    token,
    guestProcess: ContainerStateSchema.parse(c.agentState).token === token ? c.config.id : token,
  });

  return {
    async devices(pod) {
      if (pod.config.volumes.length) throw notSupported('the hyperstart agent has no pod volumes (STARTPOD shares one directory): use container bind mounts', { field: 'volumes' });
      await mkdir(hostSharedDir(pod), { recursive: true, mode: 0o750 });
      return [...link.ports(), { kind: 'share', tag: HYPER_SHARE_TAG, hostPath: hostSharedDir(pod), readOnly: false }];
    },

    async startSandbox(pod, vm, network) {
      const readyTimeoutMs = Number(pod.config.agentConfig['readyTimeoutMs'] ?? DEFAULT_READY_MS);
      const shareFsType = vm.shares[HYPER_SHARE_TAG] === 'virtio-fs' ? 'virtiofs' : '9p';
      return link.startPod(pod, vm, network, startPodOf(pod.config.hostname || pod.id, network, shareFsType), readyTimeoutMs);
    },

    async stopSandbox(pod) {
      const url = link.shimsUrl(pod);
      await link.stopPod(pod);
      if (url) await shim.stopAll(pod, url);
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
        () => id,
        (token) => link.hyper(pod, 'newcontainer', { id, image: id, rootfs: 'rootfs', fsmap, process: hyperProcessOf(id, cmd) }, token, 120_000),
        () => link.hyper(pod, 'removecontainer', { container: id }),
      );
      return { process, agentState: { ...c.agentState, token: process.token, shimPid: process.pid } };
    },

    async stopContainer(pod, c) {
      const { id } = c.config;
      try {
        await link.hyper(pod, 'removecontainer', { container: id }, undefined, 30_000);
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
      await link.hyper(pod, 'killcontainer', { container: id, signal: signalNumberOf(signal), allProcesses: all });
    },

    async exec(pod, c, cmd: Cmd) {
      const { id } = c.config;
      // The exec's id in the guest is its token: unique, and what WINSIZE names it by.
      return startProcess(
        pod,
        id,
        (token) => token,
        (token) => link.hyper(pod, 'execcmd', { container: id, process: hyperProcessOf(token, cmd) }, token, 120_000),
        // hyperstart cannot signal one exec: its stdin is closed instead, which ends most commands.
        (ref) => link.closeStdin(pod, ref.token),
      );
    },

    async processList(pod, c, options) {
      return link.hyper(pod, 'pscontainer', { container: c.config.id, format: options.format, psargs: options.args });
    },

    // No guestStats: the hyperstart protocol has no command that reports a container's
    // resource use (only pscontainer's ps output), so its pods show the VM's figures alone.

    attach: (pod, c, token) => link.attach(pod, refOf(c, token)),

    async probeContainer(pod, c) {
      const { token, shimPid } = ContainerStateSchema.parse(c.agentState);
      if (!token) return { running: false, exitCode: null };
      const { exitCode, gone } = await link.exitOf(pod, token, shimPid);
      return { running: exitCode === null && !gone, exitCode };
    },
  };
}
