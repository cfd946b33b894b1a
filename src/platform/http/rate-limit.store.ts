// The Redis side of the rate limits: the only code that touches Redis for them.
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { Redis } from "../redis/redis.js";

export type LimitKind = "ip" | "user";

/** Spends one request of a key's budget; resolves to null when allowed, else ms to wait. */
export interface RateLimitStore {
  consume(kind: LimitKind, key: string): Promise<number | null>;
}

/**
 * Fixed one-second windows counted in Redis, so every instance spends the same budget:
 * rate-limiter-flexible's INCR + PEXPIRE in one MULTI makes the count exact under any
 * interleaving across instances. While Redis is unreachable each instance falls back to the
 * same limits counted in its own memory (the "insurance" limiter) and answers at once
 * (rejectIfRedisNotReady) instead of waiting for a reconnect.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly limiters: Record<LimitKind, RateLimiterRedis>;

  constructor(redis: Redis, prefix: string, perSecond: Record<LimitKind, number>) {
    const make = (kind: LimitKind) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `${prefix}ratelimit:${kind}`,
        points: perSecond[kind],
        duration: 1,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ points: perSecond[kind], duration: 1 }),
      });
    this.limiters = { ip: make("ip"), user: make("user") };
  }

  async consume(kind: LimitKind, key: string): Promise<number | null> {
    try {
      await this.limiters[kind].consume(key, 1);
      return null;
    } catch (rejection) {
      if (rejection instanceof RateLimiterRes) return Math.max(1, rejection.msBeforeNext);
      throw rejection;
    }
  }
}
