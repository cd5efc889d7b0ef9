// Admin-only procedures: users, the audit log, the host paths API calls may name, and doctor.
import { z } from 'zod';
import { AuditExportSchema, AuditQuerySchema, NewUserSchema, PasswordSchema, RoleSchema, UsernameSchema, toJsonLines } from '../../auth/index.js';
import { HostDevicePatternsSchema, HostPathRootsSchema } from '../../engine/index.js';
import { auditedDoctor } from '../doctor.js';
import { adminProcedure, router } from '../trpc.js';

export const adminRouter = router({
  users: adminProcedure.query(({ ctx }) => ctx.auth.users.list()),
  addUser: adminProcedure.input(NewUserSchema).mutation(({ ctx, input }) => ctx.auth.users.add(input)),
  updateUser: adminProcedure
    .input(z.object({ name: UsernameSchema, role: RoleSchema.optional(), disabled: z.boolean().optional(), password: PasswordSchema.optional() }))
    .mutation(({ ctx, input: { name, ...change } }) => ctx.auth.updateUser(name, change)),
  audit: adminProcedure.input(AuditQuerySchema).query(({ ctx, input }) => ctx.auth.audit.list(input)),
  /** The filtered log as JSON lines, oldest first, for download. */
  auditExport: adminProcedure.input(AuditExportSchema).query(async ({ ctx, input }) => toJsonLines((await ctx.auth.audit.list(input)).reverse())),
  hostPathRoots: adminProcedure.query(({ ctx }) => ctx.engine.hostPathRoots()),
  /** Host vs store: what disagrees (findings audited); doctorFix also repairs it. */
  doctor: adminProcedure.query(({ ctx }) => auditedDoctor(ctx, false)),
  doctorFix: adminProcedure.mutation(({ ctx }) => auditedDoctor(ctx, true)),
  setHostPathRoots: adminProcedure.input(z.object({ roots: HostPathRootsSchema })).mutation(({ ctx, input }) => ctx.engine.setHostPathRoots(input.roots)),
  /** Glob patterns of the host devices configs may name (deviceInfos, a block rootfs). */
  hostDevicePatterns: adminProcedure.query(({ ctx }) => ctx.engine.hostDevicePatterns()),
  setHostDevicePatterns: adminProcedure.input(z.object({ patterns: HostDevicePatternsSchema })).mutation(({ ctx, input }) => ctx.engine.setHostDevicePatterns(input.patterns)),
});
