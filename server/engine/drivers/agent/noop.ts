// Upstream's noop agent: accepts every call, runs nothing. Processes get the noop shim's PID.
import { randomUUID } from 'node:crypto';
import { PassThrough } from 'node:stream';
import type { Shim } from '../shim/types.js';
import type { Agent, ProcessIo } from './types.js';

export function createNoopAgent(shim: Shim): Agent {
  const startProcess = async (pod: Parameters<Agent['exec']>[0], containerId: string, token: string) => ({
    token,
    pid: await shim.start(pod, { containerId, token, url: '', console: '', detach: true }),
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
    async createContainer() {
      return {};
    },
    async startContainer(pod, c) {
      return { process: await startProcess(pod, c.config.id, c.config.id), agentState: {} };
    },
    async stopContainer() {},
    async signalContainer() {},
    async exec(pod, c) {
      return startProcess(pod, c.config.id, randomUUID());
    },
    async processList() {
      return '';
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
    async probeContainer() {
      return { running: true, exitCode: null };
    },
  };
}
