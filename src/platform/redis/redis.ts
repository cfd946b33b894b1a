import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "../logger.js";

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

/**
 * Logs a Redis outage once (not on every reconnect attempt) and the recovery, instead of
 * ioredis's "Unhandled error event" lines on stderr for each retry.
 */
export function logRedisHealth(client: Redis, log: Logger, name: string): void {
  let down = false;
  client.on("error", (error: Error) => {
    if (down) return;
    down = true;
    log.warn({ err: error, redis: name }, "redis unreachable; retrying in the background");
  });
  client.on("ready", () => {
    if (!down) return;
    down = false;
    log.info({ redis: name }, "redis reachable again");
  });
}
