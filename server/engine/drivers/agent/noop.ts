// Upstream's noop agent: accepts every call, runs nothing. Processes get the noop shim's PID.
// A test makes a container's init "exit" by writing its exit code to noopExitFile: the probe
// then reports it, as the kata agent reports a real init that exited.
import { randomUUID } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Shim } from '../shim/types.js';
import type { BlockHotplug } from '../hypervisor/types.js';
import type { DriverState } from '../types.js';
import { plugContainerBlocks, pluggedBlocksOf, unplugContainerBlocks } from './block-devices.js';
import type { Agent, ProcessIo } from './types.js';

export const noopExitFile = (runDir: string, containerId: string) => join(runDir, `noop-exit-${containerId}`);

/** `hotplug`: a container's disks are still plugged and unplugged (the mock hypervisor records them), for logic tests. */
export function createNoopAgent(shim: Shim, hotplug?: BlockHotplug): Agent {
  const startProcess = async (pod: Parameters<Agent['exec']>[0], containerId: string, token: string) => ({
    token,
    pid: await shim.start(pod, { containerId, token, url: '', direct: true }),
    startTime: new Date().toISOString(),
  });
  return {
    async devices() {
      return [];
    },
    async startSandbox() {
      return {};
    },
    async stopSandbox() {},
    async createContainer(pod, c) {
      const blocks = await plugContainerBlocks(pod, c.config, hotplug);
      const state: DriverState = blocks.plugged.length ? { blocks: blocks.plugged } : {};
      return state;
    },
    async startContainer(pod, c) {
      await rm(noopExitFile(pod.runDir, c.config.id), { force: true });
      return { process: await startProcess(pod, c.config.id, c.config.id), agentState: c.agentState };
    },
    async stopContainer(pod, c) {
      await unplugContainerBlocks(pod, pluggedBlocksOf(c.agentState), hotplug);
    },
    async signalContainer() {},
    async exec(pod, c) {
      return startProcess(pod, c.config.id, randomUUID());
    },
    async processList() {
      return '';
    },
    // Mock figures, one per configured container: nothing runs, so nothing is used; no guest memory.
    async guestStats(pod) {
      return { memory: null, containers: pod.config.containers.map((c) => ({ containerId: c.id, cpuUsageUsec: 0, memoryBytes: 0 })) };
    },
    async attach(): Promise<ProcessIo> {
      const stdout = new PassThrough();
      const stderr = new PassThrough();
      stdout.end();
      stderr.end();
      return {
        stdout,
        stderr,
        async writeStdin() {},
        async closeStdin() {},
        async resize() {},
        async signal() {},
        async wait() {
          return { exitCode: 0 };
        },
        close() {},
      };
    },
    async probeContainer(pod, c) {
      const exited = await readFile(noopExitFile(pod.runDir, c.config.id), 'utf8').catch(() => null);
      return exited === null ? { running: true, exitCode: null } : { running: false, exitCode: Number(exited) };
    },
  };
}
