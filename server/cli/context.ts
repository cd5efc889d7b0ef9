// Runs a command's handler against the API (this host's engine, or a console with --url) and always
// closes the connection, so the process ends as soon as the handler is done. Errors become engine
// errors here and propagate to main, which reports them once.
//
// Audit: handlers change state only through the console's tRPC procedures, whose guard writes one
// audit entry per mutation (actor cli:<user> here, the token's user on a console), named by the
// procedure's path: pod.create, container.kill, admin.addUser… Queries are not audited.
import type { Command } from 'commander';
import { EngineError } from '../engine/errors.js';
import type { Api, Connection } from './client.js';

export interface CliContext {
  api: Api;
  /** This host's engine and host-only calls; null with --url. */
  local: Connection['local'];
  /** The global --json flag: machine-readable stdout. */
  json: boolean;
  /** The global --quiet flag: no progress on stderr. */
  quiet: boolean;
}

/** Adapts a handler to commander's .action(); a returned number becomes the process exit code. */
export function apiAction<A extends unknown[]>(handler: (ctx: CliContext, ...args: A) => Promise<number | void>) {
  return async (...args: A): Promise<void> => {
    // commander passes the positional arguments, the options, then the Command itself.
    const globals = (args.at(-1) as Command).optsWithGlobals<{ json?: boolean; quiet?: boolean; url?: string }>();
    // Loaded here, not at the top: the engine, the store and tRPC are most of the CLI's start-up
    // cost, and --help, --version and flag errors need none of them.
    const { connect } = await import('./client.js');
    const connection = await connect(globals.url);
    try {
      const exitCode = await handler({ api: connection.api, local: connection.local, json: globals.json === true, quiet: globals.quiet === true }, ...args);
      if (exitCode !== undefined) process.exitCode = exitCode;
    } catch (err) {
      throw connection.errorOf(err);
    } finally {
      await connection.close();
    }
  };
}

/** This host's engine, for what only it can do; with --url, NOT_SUPPORTED saying `instead`. */
export function localOnly(ctx: CliContext, what: string, instead: string): NonNullable<CliContext['local']> {
  if (ctx.local) return ctx.local;
  throw new EngineError('NOT_SUPPORTED', `${what} works only on the console's host, without --url; ${instead}`);
}
