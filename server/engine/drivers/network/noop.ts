// Upstream's noop network: the pod shares the caller's namespace and nothing is created.
import { EMPTY_GUEST_NETWORK } from '../devices.js';
import type { Network } from './types.js';

export function createNoopNetwork(): Network {
  return {
    async prepare() {
      return {};
    },
    async connect() {
      return { state: {}, connection: { netNsPath: '', devices: [], guest: EMPTY_GUEST_NETWORK } };
    },
    async remove() {},
    info() {
      return null;
    },
  };
}
