// Failed operator authentications per client IP, counted in Redis so that every instance
// spends the same budget: the only code that touches Redis for them.
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { Redis } from "../../platform/redis/redis.js";

export interface AuthFailureStore {
  /** Milliseconds until `ip` may try again, or null while it is under its budget. */
  blockedFor(ip: string): Promise<number | null>;
  /** Counts one failure of `ip`. */
  fail(ip: string): Promise<void>;
}

/**
 * A fixed one-minute window per IP (rate-limiter-flexible: INCR + PEXPIRE in one MULTI, exact
 * across instances). Once `perMinute` failures are counted the IP is refused until the window
 * ends, whatever key it sends, so a guesser learns nothing more. While Redis is unreachable
 * each instance counts in its own memory (the insurance limiter) rather than letting guesses
 * through uncounted.
 */
export class RedisAuthFailureStore implements AuthFailureStore {
  private readonly limiter: RateLimiterRedis;

  constructor(
    redis: Redis,
    prefix: string,
    private readonly perMinute: number,
  ) {
    this.limiter = new RateLimiterRedis({
      storeClient: redis,
      keyPrefix: `${prefix}operator-auth-failures`,
      points: perMinute,
      duration: 60,
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ points: perMinute, duration: 60 }),
    });
  }

  async blockedFor(ip: string): Promise<number | null> {
    const res = await this.limiter.get(ip);
    if (!res || res.consumedPoints < this.perMinute) return null;
    return Math.max(1, res.msBeforeNext);
  }

  async fail(ip: string): Promise<void> {
    try {
      await this.limiter.consume(ip, 1);
    } catch (rejection) {
      // Over the budget already: the count has still gone up, which is all a failure needs.
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
    }
  }
}
