// How the agent invokes the OCI runtime and its helpers. Everything environment-specific
// (binary paths, crun's state root, cgroup manager, --no-pivot on an initramfs root) lives here.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ProtocolError } from '../protocol/messages.js';

export interface RuntimeOptions {
  crun: string;
  /** Global crun flags, e.g. --root and --cgroup-manager. */
  crunGlobalArgs: string[];
  /** `crun run --no-pivot`, needed while the guest root is the initramfs. */
  noPivot: boolean;
  /** util-linux `script`: gives crun the terminal on stdin that `terminal: true` requires; null if absent. */
  script: string | null;
  stty: string;
  /** modprobe, for the drivers loaded at their first use (SCSI disks); absent on a host, where it never runs. */
  modprobe?: string;
}

export function crunArgs(options: RuntimeOptions, ...args: string[]): string[] {
  return [...options.crunGlobalArgs, ...args];
}

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a helper command to completion and collects its output. */
export function runCommand(command: string, args: string[], timeoutMs = 60_000): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new ProtocolError('RUNTIME_FAILED', `${command}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? 128, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() + (signal ? `killed by ${signal}` : '') });
    });
  });
}

/** Runs a command that must succeed; its stderr becomes the error message. */
export async function runChecked(command: string, args: string[], timeoutMs?: number): Promise<string> {
  const result = await runCommand(command, args, timeoutMs);
  if (result.code !== 0) {
    throw new ProtocolError('RUNTIME_FAILED', `${[command, ...args].join(' ')} failed (${result.code}): ${result.stderr.trim() || result.stdout.trim()}`);
  }
  return result.stdout;
}

/** Finds an executable on PATH, as a shell would, then in `extraDirs`. */
export function findExecutable(name: string, extraDirs: string[] = []): string | null {
  if (name.includes('/')) return existsSync(name) ? name : null;
  for (const dir of [...(process.env['PATH'] ?? '/usr/bin:/bin').split(':'), ...extraDirs]) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

export function shellQuote(args: string[]): string {
  return args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
}
