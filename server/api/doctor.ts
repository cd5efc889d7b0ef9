// doctor through the API: the engine's report, with every finding also written to the audit log
// (the reconcile repairs what no call of a user did, so the log is where an operator looks for it).
import { actorOf } from '../auth/index.js';
import type { DoctorReport } from '../engine/index.js';
import type { Context } from './trpc.js';

export async function auditedDoctor(ctx: Context, fix: boolean): Promise<DoctorReport> {
  const report = await ctx.engine.doctor({ fix });
  for (const f of report.findings) {
    const state = f.fixed ? 'fixed' : f.error ? `fix failed: ${f.error}` : 'reported';
    await ctx.auth.audit
      .record({ ...actorOf(ctx.principal), action: `doctor.${f.kind}`, podId: f.podId, input: { subject: f.subject, fix }, outcome: f.error ? 'error' : 'ok', message: `${f.subject}: ${f.detail} (${state})`, source: ctx.request.source })
      .catch(() => {});
  }
  return report;
}
