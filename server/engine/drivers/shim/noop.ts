// Upstream's noopShim: starts nothing and reports PID 1000.
import type { Shim } from './types.js';

export const NOOP_SHIM_PID = 1000;

export function createNoopShim(): Shim {
  return {
    async start() {
      return NOOP_SHIM_PID;
    },
    async stop() {},
    async stopAll() {},
  };
}
