// User records: names, argon2 hashes, roles, and the disabled flag.
import { randomUUID } from 'node:crypto';
import { EngineError, type Database } from '../engine/index.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { RoleSchema, type Role } from './roles.js';

export interface UserView {
  id: string;
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
}

type UserRow = { id: string; name: string; role: string; disabled: boolean; createdAt: Date };

export const userView = (row: UserRow): UserView => ({
  id: row.id,
  name: row.name,
  role: RoleSchema.parse(row.role),
  disabled: row.disabled,
  createdAt: row.createdAt.toISOString(),
});

export class Users {
  constructor(private readonly db: Database) {}

  count(): Promise<number> {
    return this.db.user.count();
  }

  async list(): Promise<UserView[]> {
    return (await this.db.user.findMany({ orderBy: { name: 'asc' } })).map(userView);
  }

  async get(name: string): Promise<UserView> {
    const row = await this.db.user.findUnique({ where: { name } });
    if (!row) throw new EngineError('USER_NOT_FOUND', `No user named "${name}"`);
    return userView(row);
  }

  async byId(id: string): Promise<UserView | null> {
    const row = await this.db.user.findUnique({ where: { id } });
    return row ? userView(row) : null;
  }

  /**
   * `onlyIfNone`: the first-run path, which must not add a user once any exists. The row goes in
   * first and the count is checked after, so two racing set-ups cannot both win (SQLite would
   * refuse a read-then-write transaction's lock upgrade under such a race anyway).
   */
  async add(input: { name: string; role: Role; password: string }, onlyIfNone = false): Promise<UserView> {
    const setupOver = () => new EngineError('PERMISSION_DENIED', 'Setup is over: a user already exists; log in instead');
    if (onlyIfNone && (await this.count()) > 0) throw setupOver();
    const passwordHash = await hashPassword(input.password);
    let row;
    try {
      row = await this.db.user.create({ data: { id: randomUUID(), name: input.name, role: input.role, passwordHash } });
    } catch (err) {
      if ((err as { code?: string }).code === 'P2002') throw new EngineError('USER_EXISTS', `A user named "${input.name}" already exists`);
      throw err;
    }
    if (onlyIfNone && (await this.count()) > 1) {
      await this.db.user.delete({ where: { id: row.id } });
      throw setupOver();
    }
    return userView(row);
  }

  async update(name: string, change: { role?: Role; disabled?: boolean; password?: string }): Promise<UserView> {
    const data = {
      ...(change.role ? { role: change.role } : {}),
      ...(change.disabled !== undefined ? { disabled: change.disabled } : {}),
      ...(change.password ? { passwordHash: await hashPassword(change.password) } : {}),
    };
    try {
      return userView(await this.db.user.update({ where: { name }, data }));
    } catch (err) {
      // P2025: no row to update.
      if ((err as { code?: string }).code === 'P2025') throw new EngineError('USER_NOT_FOUND', `No user named "${name}"`);
      throw err;
    }
  }

  /** The user when the name and password match an enabled account, else null (same time either way). */
  async verify(name: string, password: string): Promise<UserView | null> {
    const row = await this.db.user.findUnique({ where: { name } });
    const ok = await verifyPassword(row?.passwordHash ?? null, password);
    return ok && row && !row.disabled ? userView(row) : null;
  }
}
