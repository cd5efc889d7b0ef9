// Login attempts are rate-limited per client address and per (address, username), with
// rate-limiter-flexible: a guessing script is slowed down and a user elsewhere is not locked out.
// The counts live in the store (LoginAttempt), not in memory: restarting the console must not hand
// a guessing script a fresh allowance, and a CLI and a console on one store count together.
import { RateLimiterPrisma, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Database } from '../engine/index.js';
import { EngineError } from '../engine/errors.js';

const WINDOW_S = 15 * 60;
export const LOGIN_LIMITS = { perUser: 5, perSource: 50, windowS: WINDOW_S };

export class LoginLimiter {
  private readonly perUser: RateLimiterAbstract;
  private readonly perSource: RateLimiterAbstract;

  constructor(db: Database) {
    // One table for both limiters, told apart by key prefix. Expired rows are swept by the
    // library's own timer (unref'd, so it never holds the process open).
    const store = { storeClient: db, tableName: 'loginAttempt', duration: WINDOW_S };
    this.perUser = new RateLimiterPrisma({ ...store, points: LOGIN_LIMITS.perUser, keyPrefix: 'user' });
    this.perSource = new RateLimiterPrisma({ ...store, points: LOGIN_LIMITS.perSource, keyPrefix: 'source' });
  }

  /** Takes one attempt; throws RATE_LIMITED, with the seconds to wait, when none is left. */
  async take(source: string, username: string): Promise<void> {
    try {
      await this.perSource.consume(source);
      await this.perUser.consume(`${source}|${username.toLowerCase()}`);
    } catch (err) {
      if (!(err instanceof RateLimiterRes)) throw err;
      const retryAfterS = Math.ceil(err.msBeforeNext / 1_000);
      throw new EngineError('RATE_LIMITED', `Too many login attempts; try again in ${retryAfterS} s`, { retryAfterS });
    }
  }

  /** A successful login forgives that user's earlier failures from the same address. */
  async forgive(source: string, username: string): Promise<void> {
    await this.perUser.delete(`${source}|${username.toLowerCase()}`);
  }
}
