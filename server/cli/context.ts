// Runs a command's handler against an engine opened from the environment and always closes it,
// so the process ends as soon as the handler is done. Errors propagate to main, reported once there.
import type { Command } from 'commander';
import { openEngine, type VC } from '../engine/index.js';

export interface CliContext {
  vc: VC;
  /** The global --json flag: machine-readable stdout. */
  json: boolean;
}

/** Adapts a handler to commander's .action(); a returned number becomes the process exit code. */
export function engineAction<A extends unknown[]>(handler: (ctx: CliContext, ...args: A) => Promise<number | void>) {
  return async (...args: A): Promise<void> => {
    // commander passes the positional arguments, the options, then the Command itself.
    const command = args.at(-1) as Command;
    const vc = await openEngine();
    try {
      const exitCode = await handler({ vc, json: command.optsWithGlobals().json === true }, ...args);
      if (exitCode !== undefined) process.exitCode = exitCode;
    } finally {
      await vc.close();
    }
  };
}
