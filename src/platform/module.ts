import type { Config } from "../config.js";
import type { Clock } from "./clock.js";
import type { CachedAnswers } from "./graphql/answer-cache.js";
import type { PrismaClient } from "./db/prisma.js";
import type { Sql } from "./db/sql.js";
import type { Logger } from "./logger.js";
import type { AppMetrics } from "./metrics/metrics.js";
import type { Redis } from "./redis/redis.js";
import type { AppPubSub } from "./redis/pubsub.js";
import type { Topics } from "./redis/topics.js";

/** What the composition root hands every feature module. */
export interface Infrastructure {
  config: Config;
  log: Logger;
  prisma: PrismaClient;
  /** The same MySQL pool without Prisma, for the hot paths' few statements (db/sql.ts). */
  sql: Sql;
  /** Commands (and Lua scripts). */
  redis: Redis;
  pubsub: AppPubSub<Topics>;
  clock: Clock;
  /** This app's own Prometheus registry and counters (served at /metrics). */
  metrics: AppMetrics;
}

/**
 * What a feature module gives the composition root. Every `create*Module(infra, deps)` returns
 * `Feature<{ ...what other modules use }>`: this contract under `module`, its services beside it.
 */
export interface FeatureModule {
  /** Resolvers of the public API (/graphql, schema.graphql). */
  resolvers: object[];
  /** Resolvers of the Operator API (/admin/graphql, admin-schema.graphql); list their classes in src/admin-resolvers.ts. */
  adminResolvers?: object[];
  jobs?: BackgroundJob[];
  /**
   * Public root fields whose whole answers may be sent again while their stamp is unchanged
   * (graphql/answer-cache.ts; the seat reads).
   */
  cachedAnswers?: CachedAnswers;
  /** Extra checks for WebSocket connectionParams (the queue module verifies tokens). */
  acceptConnection?: (token: string | null) => Promise<boolean>;
  /** The same for the Operator API's WebSockets (the operator module checks the key). */
  acceptAdminConnection?: (secret: string | null, ip: string) => Promise<boolean>;
}

/** The one return shape of every `create*Module`. */
export type Feature<Exports extends object> = { module: FeatureModule } & Exports;

/** Work that runs in the background on every instance (tickers, sweepers). */
export interface BackgroundJob {
  name: string;
  start(): void;
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * A run that took (nearly) its whole interval still rests this fraction of it before the next,
 * so a job slowed down by its database or Redis does not run back to back.
 */
const MIN_REST_FRACTION = 0.1;

/**
 * Runs `fn` every `intervalMs`, counted from the start of one run to the start of the next, so
 * the time a run takes does not stretch the period (the admission tick took 0.3–0.4 s under a
 * flash crowd: 18 ticks instead of 25 in 25 s). Never overlapping itself: a run that overran
 * is followed by the next after a rest of MIN_REST_FRACTION of the interval. Errors are logged,
 * never thrown.
 */
export function intervalJob(
  name: string,
  intervalMs: number,
  log: Logger,
  fn: () => Promise<void>,
): BackgroundJob {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = true;
  const schedule = (delayMs: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      const startedAt = performance.now();
      running = fn()
        .catch((error: unknown) => log.warn({ err: error, job: name }, "background job failed"))
        .finally(() => {
          running = undefined;
          const tookMs = performance.now() - startedAt;
          schedule(Math.max(intervalMs - tookMs, intervalMs * MIN_REST_FRACTION));
        });
    }, delayMs);
    timer.unref();
  };
  return {
    name,
    start() {
      if (!stopped) return;
      stopped = false;
      schedule(intervalMs);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
}
