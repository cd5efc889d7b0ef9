// The `podvisor` CLI: builds the command tree, runs it, and turns any failure, from commander or
// the engine, into one `podvisor: CODE: message` line on stderr and a stable exit code.
import { createRequire } from 'node:module';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { EngineError, toEngineError } from '../engine/errors.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerContainerCommands } from './commands/container.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerPodCommands } from './commands/pod.js';
import { registerSettingsCommands } from './commands/settings.js';
import { registerTemplateCommands } from './commands/template.js';
import { registerTokenCommands } from './commands/token.js';
import { registerUserCommands } from './commands/user.js';
import { TOKEN_ENV } from './token-env.js';
import { EXIT_CODES, EXIT_USAGE } from './exit-codes.js';
import { printError } from './output.js';
import { REPO_ROOT } from '../repo-root.js';

const { version } = createRequire(import.meta.url)(path.join(REPO_ROOT, 'package.json')) as { version: string };

function buildProgram(): Command {
  const program = new Command('podvisor')
    .description('virtcontainers 1.0 pods (QEMU VMs) and their containers, from the shell')
    .version(version)
    .option('--json', 'machine-readable JSON on stdout, and nothing else: implies detached (a non-detached container is not followed)')
    .option('--quiet', "no progress lines on stderr for long pod calls (they are printed only on a terminal)")
    .addOption(new Option('--url <url>', `call the console at this address (e.g. http://127.0.0.1:3000) as the API token in ${TOKEN_ENV}`).env('PODVISOR_URL'))
    // Settings made before .command() are inherited by every subcommand.
    .exitOverride()
    .configureOutput({ outputError: () => undefined }); // reported by fail() below, in our format
  registerPodCommands(program);
  registerContainerCommands(program);
  registerUserCommands(program);
  registerTokenCommands(program);
  registerAuditCommands(program);
  registerSettingsCommands(program);
  registerDoctorCommand(program);
  registerTemplateCommands(program);
  return program;
}

function fail(err: unknown, json: boolean): number {
  if (err instanceof CommanderError && err.exitCode === 0) return 0; // --help, --version
  if (err instanceof CommanderError && err.code === 'commander.help') return EXIT_USAGE; // a group without a subcommand: help is out already
  const error = err instanceof CommanderError ? new EngineError('INVALID_ARGUMENT', err.message.replace(/^error: /, '')) : toEngineError(err);
  printError(error, json);
  return EXIT_CODES[error.code];
}

// No process.exit(): every handler closes what it opened, so Node exits once stdout is flushed.
const program = buildProgram();
try {
  await program.parseAsync(process.argv);
} catch (err) {
  process.exitCode = fail(err, program.opts().json === true);
}
