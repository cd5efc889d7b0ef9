// Where podvisor-oci's settings come from. podman does not pass its environment to the runtime
// (conmon and podman's cleanup process run it with their own), and its cleanup process drops
// --runtime-flag, so the settings live in a file: `--env-file FILE`, else `<invoked path>.env`
// beside the path podman runs (a symlink to bin/podvisor-oci.js may have its own). Without either,
// the environment's: the same store as the console and the CLI.
import { existsSync, readFileSync } from 'node:fs';
import { DEFAULT_ROOT } from './state.js';

/** `NAME=value` lines of PODVISOR_* settings; `#` comments and blank lines are skipped. */
export function parseEnvFile(text: string, file: string): Record<string, string> {
  const env: Record<string, string> = {};
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const m = /^(PODVISOR_[A-Z0-9_]+)=(.*)$/.exec(line);
    if (!m) throw new Error(`${file}:${i + 1}: expected PODVISOR_NAME=value, not "${line}"`);
    env[m[1]!] = m[2]!.replace(/^"(.*)"$/, '$1');
  });
  return env;
}

/** The settings file this invocation uses, from argv (`--env-file F` / `--env-file=F`) or beside the invoked path. */
export function envFileOf(argv: string[]): string | null {
  for (let i = 2; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--env-file') return argv[i + 1] ?? null;
    if (a.startsWith('--env-file=')) return a.slice('--env-file='.length);
    if (!a.startsWith('-')) break; // the command: globals come before it
  }
  const beside = `${argv[1]}.env`;
  return argv[1] && existsSync(beside) ? beside : null;
}

/** Applies the settings file to process.env (the engine reads it lazily); returns the default --root. */
export function loadSettings(argv: string[]): { envFile: string | null; defaultRoot: string } {
  const envFile = envFileOf(argv);
  if (envFile) Object.assign(process.env, parseEnvFile(readFileSync(envFile, 'utf8'), envFile));
  return { envFile, defaultRoot: process.env['PODVISOR_OCI_ROOT'] || DEFAULT_ROOT };
}
