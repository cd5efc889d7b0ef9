// Login attempts are rate-limited per client address and per (address, username), with
// rate-limiter-flexible: a guessing script is slowed down and a user elsewhere is not locked out.
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import { EngineError } from '../engine/index.js';

const WINDOW_S = 15 * 60;

export class LoginLimiter {
  private readonly perUser = new RateLimiterMemory({ points: 5, duration: WINDOW_S });
  private readonly perSource = new RateLimiterMemory({ points: 50, duration: WINDOW_S });

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
