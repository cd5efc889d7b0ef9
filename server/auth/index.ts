// Authentication and authorization, framework-free: users, login sessions, API tokens, the login
// rate limit and the audit log, over the engine's database. The web layer and the CLI adapt it.
import { EventEmitter } from 'node:events';
import os from 'node:os';
import { configFromEnv, type PodvisorConfig } from '../config.js';
import { EngineError, openDatabase, type Database } from '../engine/index.js';
import { AuditLog } from './audit.js';
import { LoginLimiter } from './login-limiter.js';
import type { Principal } from './principal.js';
import { roleAtLeast, type Role } from './roles.js';
import { LoginSessions, type NewSession } from './sessions.js';
import { ApiTokens } from './tokens.js';
import { Users, type UserView } from './users.js';

export { actorOf, summarizeInput, toJsonLines, type AuditEntry, type AuditOutcome, type AuditRecord } from './audit.js';
export type { Principal } from './principal.js';
export { ROLES, RoleSchema, roleAtLeast, type Role } from './roles.js';
export * from './schemas.js';
export { sameSecret } from './secrets.js';
export type { TokenView } from './tokens.js';
export type { UserView } from './users.js';

/** A user's access shrank: live terminals of that user (or only of that login session) must close. */
export interface Revocation {
  userId: string;
  sessionId?: string;
  reason: string;
}

export class Auth {
  readonly users: Users;
  readonly sessions: LoginSessions;
  readonly tokens: ApiTokens;
  readonly audit: AuditLog;
  readonly limiter: LoginLimiter;
  readonly revocations = new EventEmitter<{ revoked: [Revocation] }>();

  constructor(
    /** Also the store of other console records (terminal recordings). */
    readonly db: Database,
    times: { ttlMs: number; idleMs: number },
  ) {
    this.users = new Users(db);
    this.sessions = new LoginSessions(db, times);
    this.tokens = new ApiTokens(db);
    this.audit = new AuditLog(db);
    this.limiter = new LoginLimiter(db);
  }

  /** The caller behind a session cookie's secret or a bearer token, or null. */
  async authenticate(credentials: { sessionSecret?: string | undefined; bearer?: string | undefined }): Promise<Principal | null> {
    if (credentials.bearer) return this.tokens.resolve(credentials.bearer);
    if (credentials.sessionSecret) return this.sessions.resolve(credentials.sessionSecret);
    return null;
  }

  /** Checks the password under the rate limit; a failure says only that the pair did not match. */
  async login(username: string, password: string, source: string): Promise<{ user: UserView; session: NewSession }> {
    await this.limiter.take(source, username);
    const user = await this.users.verify(username, password);
    if (!user) throw new EngineError('UNAUTHENTICATED', 'Wrong username or password');
    await this.limiter.forgive(source, username);
    return { user, session: await this.sessions.create(user.id) };
  }

  async logout(principal: Principal): Promise<void> {
    if (!principal.sessionId || !principal.userId) return;
    await this.sessions.remove(principal.sessionId);
    this.revocations.emit('revoked', { userId: principal.userId, sessionId: principal.sessionId, reason: 'logged out' });
  }

  /** The first-run path: creates the first admin, and only while no user exists. */
  setup(input: { name: string; password: string }): Promise<UserView> {
    return this.users.add({ ...input, role: 'admin' }, true);
  }

  /** Role, disabled flag or password of a user; access that shrinks ends the user's logins and terminals now. */
  async updateUser(name: string, change: { role?: Role; disabled?: boolean; password?: string }): Promise<UserView> {
    const before = await this.users.get(name);
    const losesAdmin = before.role === 'admin' && !before.disabled && (change.disabled === true || (change.role && change.role !== 'admin'));
    if (losesAdmin && (await this.users.list()).filter((u) => u.role === 'admin' && !u.disabled).length === 1) {
      throw new EngineError('PERMISSION_DENIED', `"${name}" is the last enabled admin: make another admin first`);
    }
    const after = await this.users.update(name, change);
    const demoted = !roleAtLeast(after.role, before.role);
    if (after.disabled || change.password) await this.sessions.removeForUser(after.id);
    if (after.disabled || demoted || change.password) {
      const reason = after.disabled ? 'user disabled' : demoted ? `role lowered to ${after.role}` : 'password changed';
      this.revocations.emit('revoked', { userId: after.id, reason });
    }
    return after;
  }

  async close(): Promise<void> {
    await this.db.$disconnect();
  }
}

export async function openAuth(config: PodvisorConfig = configFromEnv()): Promise<Auth> {
  return new Auth(await openDatabase(config.databaseUrl, { busyTimeoutMs: config.storeBusyMs }), { ttlMs: config.sessionTtlMs, idleMs: config.sessionIdleMs });
}

/** The host's own CLI: whoever can run it can read the database, so it acts as an administrator. */
export function cliPrincipal(): Principal {
  return { userId: null, name: `cli:${os.userInfo().username}`, role: 'admin', via: 'cli' };
}
