// The `podvisor-oci` entry point: parses runc's command line (argv.ts), runs the handler
// (runtime.ts), and reports a failure as runc does: one line on stderr, also in --log (as JSON
// with --log-format json, which podman and CRI-O read), and exit code 1.
import { appendFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { CommanderError } from 'commander';
import { toEngineError } from '../engine/errors.js';
import { REPO_ROOT } from '../repo-root.js';
import { buildProgram, logLine } from './argv.js';
import { handlers } from './runtime.js';
import { loadSettings } from './settings.js';

const { version } = createRequire(import.meta.url)(path.join(REPO_ROOT, 'package.json')) as { version: string };

let program: ReturnType<typeof buildProgram> | undefined;
try {
  const { defaultRoot } = loadSettings(process.argv);
  program = buildProgram(handlers, version, defaultRoot, (code) => (process.exitCode = code));
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError && err.exitCode === 0) {
    process.exitCode = 0;
  } else {
    const message = err instanceof CommanderError ? err.message.replace(/^error: /, '') : `${toEngineError(err).code}: ${toEngineError(err).message}`;
    process.stderr.write(`podvisor-oci: ${message}\n`);
    const { log, logFormat } = (program?.opts() ?? { logFormat: 'text' }) as { log?: string; logFormat: 'text' | 'json' };
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
