// kataProxy: one detached proxy process per pod (it survives the CLI), owning the connection to
// the guest agent and serving every host client on <runDir>/proxy.sock.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { helperNodeArgs, REPO_ROOT, terminateHelper } from '../../../guest/helper-process.js';
import { EngineError } from '../../errors.js';
import type { Proxy } from './types.js';

const READY_TIMEOUT_MS = 15_000;

export function socketPathOf(url: string): string {
  return url.startsWith('unix://') ? url.slice('unix://'.length) : url;
}

function canConnect(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

export function createKataProxy(): Proxy {
  return {
    async start(pod, agentUrl) {
      const listen = join(pod.runDir, 'proxy.sock');
      const logPath = join(pod.runDir, 'proxy.log');
      const logFd = openSync(logPath, 'a');
      const args = [...helperNodeArgs('proxy'), '--agent', socketPathOf(agentUrl), '--listen', listen];
      const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', logFd, logFd], cwd: REPO_ROOT });
      closeSync(logFd);
      child.unref();
      const pid = child.pid ?? 0;
      for (const started = Date.now(); Date.now() - started < READY_TIMEOUT_MS; ) {
        if (child.exitCode !== null || child.signalCode !== null) break;
        if (await canConnect(listen)) {
          pod.log.info({ pid, listen }, 'kata proxy started');
          return { pid, url: `unix://${listen}` };
        }
        await sleep(50);
      }
      await terminateHelper(pid, listen);
      const tail = readFileSync(logPath, 'utf8').trim().split('\n').slice(-5).join('\n');
      throw new EngineError('AGENT_FAILED', `kata proxy of pod ${pod.id} did not start${tail ? `:\n${tail}` : ''}`);
    },

    async stop(pod, handle) {
      await terminateHelper(handle.pid, socketPathOf(handle.url));
      pod.log.info({ pid: handle.pid }, 'kata proxy stopped');
    },
  };
}
