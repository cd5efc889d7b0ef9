// `podvisor doctor [--fix]`: the store reconciled with the host (server/engine/doctor). Exit code 0
// when nothing is left to repair, 1 when a finding stays unfixed (report-only, or a fix that failed),
// so a script or a timer can run it and alert.
import type { Command } from 'commander';
import type { DoctorReport } from '../../engine/index.js';
import { apiAction } from '../context.js';
import { show } from '../output.js';

function render(report: DoctorReport): string {
  if (!report.findings.length) return 'nothing to repair';
  return report.findings
    .map((f) => `${f.kind}\t${f.subject}\t${f.detail}\t${f.fixed ? 'fixed' : f.error ? `FIX FAILED: ${f.error}` : 'run with --fix to repair'}`)
    .join('\n');
}

export function registerDoctorCommand(program: Command): void {
  program
    .command('doctor')
    .description('find what the store and the host disagree on: dead VMs, orphan processes, run dirs, netns, stale locks (admin)')
    .option('--fix', 'repair: reap orphan processes of ours, remove orphan run dirs and netns, take stale locks over')
    .action(
      apiAction(async (ctx, opts: { fix?: boolean }) => {
        const report = opts.fix ? await ctx.api.admin.doctorFix.mutate() : await ctx.api.admin.doctor.query();
        show(ctx, report, render);
        return report.findings.every((f) => f.fixed) ? 0 : 1;
      }),
    );
}
