// noProxy: no proxy process. The engine reaches the guest agent itself, over the VM's serial
// socket (QEMU serves one client at a time and queues the next, so every call holds it only for
// its own duration), as upstream's noProxy hands out the agent URL. start() waits for the agent to
// answer once, with the agent driver's own probe (this proxy speaks no protocol), so the boot wait
// is here and not in the first call; stop() has nothing to stop.
import { setTimeout as sleep } from 'node:timers/promises';
import { EngineError } from '../../errors.js';
import { canConnect, socketPathOf, type AgentProbe, type Proxy } from './types.js';

/** Without a probe: something accepts on the socket. */
const accepting: AgentProbe = async (path) => {
  if (!(await canConnect(path))) throw new Error(`nothing accepts on ${path}`);
};

/** Boot to a serving agent takes 6–10 s under TCG; a missing socket is retried this long. */
const AGENT_READY_MS = 120_000;

export function createNoProxy(readyMs = AGENT_READY_MS): Proxy {
  return {
    direct: true,
    async start(pod, agentUrl, probe = accepting) {
      const path = socketPathOf(agentUrl);
      const deadline = Date.now() + readyMs;
      for (let lastError: unknown = null; ; await sleep(100)) {
        const left = deadline - Date.now();
        if (left <= 0) throw new EngineError('AGENT_FAILED', `pod ${pod.id}: the agent at ${path} did not answer within ${readyMs} ms: ${String(lastError)}`);
        try {
          await probe(path, left);
          pod.log.info({ agent: path }, 'agent reached directly (noProxy)');
          return { pid: 0, url: `unix://${path}`, direct: true };
        } catch (err) {
          lastError = err instanceof Error ? err.message : err;
        }
      }
    },
    async stop() {},
    // No process to restart: the URL is the agent's own (or nothing).
    async revive() {
      return false;
    },
  };
}
