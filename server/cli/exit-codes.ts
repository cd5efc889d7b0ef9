// The one mapping from engine error codes to process exit codes. Scripts branch on these numbers,
// so they are part of the CLI's contract: change them only with a changelog entry.
import type { ErrorCode } from '../engine/index.js';

export const EXIT_OK = 0;

export const EXIT_CODES = {
  INVALID_CONFIG: 2,
  INVALID_ARGUMENT: 2,
  POD_NOT_FOUND: 3,
  CONTAINER_NOT_FOUND: 3,
  POD_EXISTS: 4,
  CONTAINER_EXISTS: 4,
  INVALID_STATE: 5,
  POD_BUSY: 6,
  NOT_SUPPORTED: 7,
  HYPERVISOR_FAILED: 1,
  NETWORK_FAILED: 1,
  AGENT_FAILED: 1,
  HOOK_FAILED: 1,
  TIMEOUT: 1,
  STORE_FAILED: 1,
  INTERNAL: 1,
  UNAUTHENTICATED: 8,
  PERMISSION_DENIED: 9,
  RATE_LIMITED: 10,
  USER_EXISTS: 4,
  USER_NOT_FOUND: 3,
  TOKEN_NOT_FOUND: 3,
} as const satisfies Record<ErrorCode, number>;

/** Command-line misuse reported by commander (unknown option, missing argument) counts as a bad argument. */
export const EXIT_USAGE = EXIT_CODES.INVALID_ARGUMENT;
