// Inputs of the auth calls, shared by the tRPC procedures, the CLI and the console's forms.
import { z } from 'zod';
import { RoleSchema } from './roles';

export const UsernameSchema = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'may hold letters, digits, ".", "_" and "-", starting with a letter or digit');

export const PasswordSchema = z.string().min(10, 'must be at least 10 characters').max(1024);

/** Login takes any strings within bounds: a wrong shape must look like a wrong password. */
export const LoginSchema = z.object({ username: z.string().max(64), password: z.string().max(1024) });

export const NewUserSchema = z.object({ name: UsernameSchema, role: RoleSchema, password: PasswordSchema });

export const TokenCreateSchema = z.object({
  name: z.string().trim().min(1, 'is required').max(100),
  role: RoleSchema,
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});

export const AUDIT_OUTCOMES = ['ok', 'error', 'denied'] as const;

export const AuditQuerySchema = z.object({
  actor: z.string().max(100).optional(),
  /** Matches the start of the action, so "pod." finds every pod call. */
  action: z.string().max(100).optional(),
  podId: z.string().max(256).optional(),
  outcome: z.enum(AUDIT_OUTCOMES).optional(),
  since: z.iso.datetime().optional(),
  until: z.iso.datetime().optional(),
  limit: z.number().int().min(1).max(1000).default(200),
  /** Paging: entries older than this id. */
  beforeId: z.number().int().positive().optional(),
});
export type AuditQuery = z.infer<typeof AuditQuerySchema>;

/** The export takes the same filters without the page size: every matching entry, up to 100 000. */
export const AuditExportSchema = AuditQuerySchema.extend({ limit: z.number().int().min(1).max(100_000).default(100_000) });
