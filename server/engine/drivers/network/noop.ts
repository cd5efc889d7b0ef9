// Upstream's noop network: the pod shares the caller's namespace and nothing is created.
import type { Network } from './types.js';

export function createNoopNetwork(): Network {
  return {
    async add() {
      return { netNsPath: '', created: false };
    },
    async remove() {},
  };
}
