// Long pod calls' steps on stderr, one line each as it ends, so a slow boot shows where it is. Only
// on a terminal (a script reading stderr gets no noise), never with --json or --quiet, and only for
// this host's engine: with --url the call runs in the console, whose listeners we cannot reach.
import { formatSeconds, type StepProgress } from '../engine/progress.js';
import type { CliContext } from './context.js';

export function stepLine(p: StepProgress): string {
  const what = p.phase === 'failed' ? `${p.label}: failed` : p.label;
  return `[${formatSeconds(p.elapsedMs).padStart(7)}] ${what} (${formatSeconds(p.durationMs)})\n`;
}

/** Runs `call`, printing its steps when the context allows it. */
export async function withProgress<T>(ctx: CliContext, call: () => Promise<T>): Promise<T> {
  if (!ctx.local || ctx.json || ctx.quiet || !process.stderr.isTTY) return call();
  const off = ctx.local.vc.onProgress((p) => {
    if (p.phase !== 'start') process.stderr.write(stepLine(p));
  });
  try {
    return await call();
  } finally {
    off();
  }
}
