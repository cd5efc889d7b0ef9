// API tokens for scripts and the remote CLI: "pvt_<id>_<secret>", stored as the secret's hash. A
// token acts with its own role, never above its owner's current role, until revoked or expired.
import { randomUUID } from 'node:crypto';
import { EngineError, type Database } from '../engine/index.js';
import { lastUseIsStale } from './last-use.js';
import type { Principal } from './principal.js';
import { lowerRole, RoleSchema, type Role } from './roles.js';
import { digest, newSecret, sameSecret } from './secrets.js';

export interface TokenView {
  id: string;
  name: string;
  owner: string;
  role: Role;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const TOKEN_PATTERN = /^pvt_([0-9a-f-]{36})_([A-Za-z0-9_-]{20,})$/;

/** Splits "pvt_<id>_<secret>"; the id is a UUID (no `_`), the base64url secret may hold `_`. null if malformed. */
export function parseApiToken(token: string): { id: string; secret: string } | null {
  const match = TOKEN_PATTERN.exec(token);
  return match ? { id: match[1]!, secret: match[2]! } : null;
}

type TokenRow = { id: string; name: string; role: string; createdAt: Date; expiresAt: Date | null; lastUsedAt: Date | null; revokedAt: Date | null; user: { name: string } };

const tokenView = (row: TokenRow): TokenView => ({
  id: row.id,
  name: row.name,
  owner: row.user.name,
  role: RoleSchema.parse(row.role),
  createdAt: row.createdAt.toISOString(),
  expiresAt: row.expiresAt?.toISOString() ?? null,
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  revokedAt: row.revokedAt?.toISOString() ?? null,
});

export class ApiTokens {
  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {}

  /** The token text is returned once, here; only its hash is kept. */
  async create(userId: string, input: { name: string; role: Role; expiresInDays?: number }): Promise<{ token: string; view: TokenView }> {
    const id = randomUUID();
    const secret = newSecret();
    const expiresAt = input.expiresInDays ? new Date(this.now() + input.expiresInDays * 86_400_000) : null;
    const row = await this.db.apiToken.create({
      data: { id, name: input.name, userId, role: input.role, secretHash: digest(secret), expiresAt },
      include: { user: { select: { name: true } } },
    });
    return { token: `pvt_${id}_${secret}`, view: tokenView(row) };
  }

  /** Every token, or only those of one user. */
  async list(userId?: string): Promise<TokenView[]> {
    const rows = await this.db.apiToken.findMany({ where: userId ? { userId } : {}, orderBy: { createdAt: 'asc' }, include: { user: { select: { name: true } } } });
    return rows.map(tokenView);
  }

  /** Revokes token `id`; with `userId`, only if that user owns it. */
  async revoke(id: string, userId?: string): Promise<TokenView> {
    const row = await this.db.apiToken.findUnique({ where: { id } });
    if (!row || (userId && row.userId !== userId)) throw new EngineError('TOKEN_NOT_FOUND', `No API token with id "${id}"`);
    const updated = await this.db.apiToken.update({
      where: { id },
      data: { revokedAt: row.revokedAt ?? new Date(this.now()) },
      include: { user: { select: { name: true } } },
    });
    return tokenView(updated);
  }

  async resolve(token: string): Promise<Principal | null> {
    const parsed = parseApiToken(token);
    if (!parsed) return null;
    const { id, secret } = parsed;
    const row = await this.db.apiToken.findUnique({ where: { id }, include: { user: true } });
    if (!row || !sameSecret(row.secretHash, digest(secret))) return null;
    if (row.revokedAt || row.user.disabled || (row.expiresAt && row.expiresAt.getTime() <= this.now())) return null;
    if (lastUseIsStale(row.lastUsedAt, this.now())) await this.db.apiToken.update({ where: { id }, data: { lastUsedAt: new Date(this.now()) } });
    const role = lowerRole(RoleSchema.parse(row.role), RoleSchema.parse(row.user.role));
    return { userId: row.userId, name: row.user.name, role, via: 'token', tokenId: id };
  }
}
