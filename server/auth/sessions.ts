// Browser logins: the cookie carries a random secret, the database its hash. A session ends at its
// absolute expiry, after the idle timeout, when its user is disabled, or at logout.
import type { Database } from '../engine/index.js';
import type { Principal } from './principal.js';
import { lastUseIsStale } from './last-use.js';
import { RoleSchema } from './roles.js';
import { digest, newSecret } from './secrets.js';

export interface SessionTimes {
  ttlMs: number;
  idleMs: number;
}

export interface NewSession {
  secret: string;
  csrfToken: string;
  expiresAt: Date;
}

export class LoginSessions {
  constructor(
    private readonly db: Database,
    private readonly times: SessionTimes,
    private readonly now: () => number = Date.now,
  ) {}

  async create(userId: string): Promise<NewSession> {
    const secret = newSecret();
    const csrfToken = newSecret();
    const expiresAt = new Date(this.now() + this.times.ttlMs);
    await this.db.authSession.create({ data: { id: digest(secret), userId, csrfToken, expiresAt } });
    return { secret, csrfToken, expiresAt };
  }

  async resolve(secret: string): Promise<Principal | null> {
    const id = digest(secret);
    const row = await this.db.authSession.findUnique({ where: { id }, include: { user: true } });
    if (!row) return null;
    const now = this.now();
    if (row.user.disabled || row.expiresAt.getTime() <= now || row.lastSeenAt.getTime() + this.times.idleMs <= now) {
      await this.db.authSession.deleteMany({ where: { id } });
      return null;
    }
    if (lastUseIsStale(row.lastSeenAt, now)) {
      await this.db.authSession.updateMany({ where: { id }, data: { lastSeenAt: new Date(now) } });
    }
    return { userId: row.userId, name: row.user.name, role: RoleSchema.parse(row.user.role), via: 'session', sessionId: id, csrfToken: row.csrfToken };
  }

  /** Whether a session id (not its secret) still names a live login: live terminals re-check this. */
  async isLive(sessionId: string): Promise<boolean> {
    const row = await this.db.authSession.findUnique({ where: { id: sessionId }, include: { user: true } });
    const now = this.now();
    return !!row && !row.user.disabled && row.expiresAt.getTime() > now && row.lastSeenAt.getTime() + this.times.idleMs > now;
  }

  async remove(sessionId: string): Promise<void> {
    await this.db.authSession.deleteMany({ where: { id: sessionId } });
  }

  async removeForUser(userId: string): Promise<void> {
    await this.db.authSession.deleteMany({ where: { userId } });
  }
}
