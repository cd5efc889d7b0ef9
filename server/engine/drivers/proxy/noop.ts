// Upstream's noopProxy: no process, a fixed URL.
import type { Proxy } from './types.js';

export function createNoopProxy(): Proxy {
  return {
    direct: true,
    async start() {
      return { pid: 0, url: 'noopProxyURL', direct: true };
    },
    async stop() {},
    // No process to restart: the URL is the agent's own (or nothing).
    async revive() {
      return false;
    },
  };
}
