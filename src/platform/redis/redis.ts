import { Cluster, Redis as SingleRedis, type RedisOptions } from "ioredis";
import type { Logger } from "../logger.js";

/** A Redis connection: one node (REDIS_URL) or a Redis Cluster (REDIS_CLUSTER_NODES). */
export type Redis = SingleRedis | Cluster;
export { Cluster, SingleRedis };

/** Where Redis is: REDIS_URL, or the cluster's seeds (REDIS_URL is then unused). */
export interface RedisTarget {
  REDIS_URL: string;
  REDIS_CLUSTER_NODES?: { host: string; port: number }[] | undefined;
  REDIS_PASSWORD?: string | undefined;
}

/**
 * A Redis connection that fails fast instead of queueing commands forever while Redis is
 * away: a command errors after one retry, and the client reconnects by itself in the
 * background, so the service recovers without a restart when Redis comes back.
 *
 * On a cluster, a command to a primary that died is retried (ioredis refreshes the slot map
 * and follows MOVED) until the replica has taken over; `sharded` makes the connection the
 * subscriber of sharded pubsub (SSUBSCRIBE: one connection per primary, each channel on the
 * shard that owns its slot).
 */
export function createRedis(target: RedisTarget, options: { sharded?: boolean } = {}): Redis {
  const nodeOptions: RedisOptions = { maxRetriesPerRequest: 1, connectTimeout: 2000, lazyConnect: false };
  if (!target.REDIS_CLUSTER_NODES) {
    return new SingleRedis(target.REDIS_URL, {
      ...nodeOptions,
      enableAutoPipelining: true,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
  }
  return new Cluster(target.REDIS_CLUSTER_NODES, {
    // No reconnect strategy per node: a node that went away is dropped from the pool, which
    // makes ioredis refresh the slot map and find the replica that took over its slots.
    redisOptions: {
      ...nodeOptions,
      ...(target.REDIS_PASSWORD ? { password: target.REDIS_PASSWORD } : {}),
    },
    scaleReads: "master",
    enableAutoPipelining: true,
    shardedSubscribers: options.sharded ?? false,
    // A failover takes cluster-node-timeout plus an election: keep retrying a command for a few
    // seconds (MOVED / CLUSTERDOWN / connection refused) rather than failing it at once.
    maxRedirections: 32,
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 200,
    retryDelayOnTryAgain: 200,
    slotsRefreshTimeout: 2000,
    clusterRetryStrategy: (times) => Math.min(times * 200, 2000),
  });
}

/** True for a Redis Cluster connection. */
export function isCluster(redis: Redis): redis is Cluster {
  return redis instanceof Cluster;
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
