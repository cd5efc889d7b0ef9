// The `podvisor-oci` entry point: parses runc's command line (argv.ts), runs the handler
// (runtime.ts), and reports a failure as runc does: one line on stderr, also in --log (as JSON
// with --log-format json, which podman and CRI-O read), and exit code 1.
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { CommanderError } from 'commander';
import { toEngineError } from '../engine/errors.js';
import { REPO_ROOT } from '../repo-root.js';
import { buildProgram } from './argv.js';
import { handlers } from './runtime.js';
import { DEFAULT_ROOT } from './state.js';

const { version } = createRequire(import.meta.url)(path.join(REPO_ROOT, 'package.json')) as { version: string };

/** One error line in the --log file, in the format asked for. */
export function logLine(format: 'text' | 'json', message: string, now = new Date()): string {
  if (format === 'json') return `${JSON.stringify({ level: 'error', msg: message, time: now.toISOString() })}\n`;
  return `time="${now.toISOString()}" level=error msg=${JSON.stringify(message)}\n`;
}

const program = buildProgram(handlers, version, DEFAULT_ROOT, (code) => (process.exitCode = code));
try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError && err.exitCode === 0) {
    process.exitCode = 0;
  } else {
    const message = err instanceof CommanderError ? err.message.replace(/^error: /, '') : `${toEngineError(err).code}: ${toEngineError(err).message}`;
    process.stderr.write(`podvisor-oci: ${message}\n`);
    const { log, logFormat } = program.opts<{ log?: string; logFormat: 'text' | 'json' }>();
    if (log) {
      try {
        appendFileSync(log, logLine(logFormat, message));
      } catch {
        // The log is a copy: stderr has the message already.
      }
    }
    process.exitCode = 1;
  }
}
