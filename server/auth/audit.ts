// The audit log: every mutation, terminal session and refused attempt, with who, what, on which pod
// and how it ended. Inputs are summarized with secrets redacted, never stored whole.
import type { Database } from '../engine/index.js';
import type { Principal } from './principal.js';
import type { AuditQuery } from './schemas.js';

export type AuditOutcome = 'ok' | 'error' | 'denied';

export interface AuditRecord {
  actor: string;
  via: string;
  action: string;
  podId?: string | null;
  containerId?: string | null;
  input?: unknown;
  outcome: AuditOutcome;
  errorCode?: string | null;
  message?: string | null;
  source?: string | null;
}

export interface AuditEntry extends Required<Omit<AuditRecord, 'input'>> {
  id: number;
  time: string;
  input: string;
}

const SECRET_KEY = /pass(word)?|secret|token|ticket|cookie|authorization|api_?key|credential/i;
const MAX_INPUT_CHARS = 2_000;

const isEnvPair = (value: unknown): value is { var: string; value: unknown } =>
  typeof value === 'object' && value !== null && typeof (value as { var?: unknown }).var === 'string' && 'value' in value;

/** JSON of `input` with secret-looking fields replaced and long strings cut, at most 2 000 characters. */
export function summarizeInput(input: unknown): string {
  if (input === undefined) return '';
  const text = JSON.stringify(input, (key, value: unknown) => {
    if (key && SECRET_KEY.test(key)) return '[redacted]';
    // Container environments are { var, value } pairs: DB_PASSWORD's value is as secret as a password field.
    if (isEnvPair(value) && SECRET_KEY.test(value.var)) return { var: value.var, value: '[redacted]' };
    if (typeof value === 'string' && value.length > 200) return `${value.slice(0, 200)}… (${value.length} chars)`;
    return value;
  });
  return text.length > MAX_INPUT_CHARS ? `${text.slice(0, MAX_INPUT_CHARS)}…` : text;
}

export const actorOf = (principal: Principal | null): { actor: string; via: string } =>
  principal ? { actor: principal.name, via: principal.via } : { actor: 'anonymous', via: 'anonymous' };

export class AuditLog {
  constructor(private readonly db: Database) {}

  async record(entry: AuditRecord): Promise<void> {
    await this.db.auditEntry.create({
      data: {
        actor: entry.actor,
        via: entry.via,
        action: entry.action,
        podId: entry.podId ?? null,
        containerId: entry.containerId ?? null,
        input: summarizeInput(entry.input),
        outcome: entry.outcome,
        errorCode: entry.errorCode ?? null,
        message: entry.message ? entry.message.slice(0, 1_000) : null,
        source: entry.source ?? null,
      },
    });
  }

  /** Newest first. */
  async list(query: AuditQuery): Promise<AuditEntry[]> {
    const rows = await this.db.auditEntry.findMany({
      where: {
        ...(query.actor ? { actor: query.actor } : {}),
        ...(query.action ? { action: { startsWith: query.action } } : {}),
        ...(query.podId ? { podId: query.podId } : {}),
        ...(query.outcome ? { outcome: query.outcome } : {}),
        ...(query.beforeId ? { id: { lt: query.beforeId } } : {}),
        time: { ...(query.since ? { gte: new Date(query.since) } : {}), ...(query.until ? { lte: new Date(query.until) } : {}) },
      },
      orderBy: { id: 'desc' },
      take: query.limit,
    });
    return rows.map((r) => ({ ...r, time: r.time.toISOString(), outcome: r.outcome as AuditOutcome }));
  }
}

/** One JSON object per line, oldest first: the export format. */
export const toJsonLines = (entries: AuditEntry[]): string => entries.map((e) => `${JSON.stringify(e)}\n`).join('');
