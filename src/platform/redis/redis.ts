import { Redis, type RedisOptions } from "ioredis";

export { Redis };

/**
 * A Redis connection that fails fast instead of queueing commands forever while Redis is
 * away: a command errors after one retry, and the client reconnects by itself in the
 * background, so the service recovers without a restart when Redis comes back.
 */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(times * 200, 2000),
    lazyConnect: false,
    ...options,
  });
}
