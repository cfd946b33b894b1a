// The composition root: builds infrastructure, feature modules and the server from a Config.
// main.ts runs it; tests use it too (createApp(config).start()).
import type { AddressInfo } from "node:net";
import type { Config } from "./config.js";
import { seedDemoData } from "../prisma/seed.js";
import { systemClock, type Clock } from "./platform/clock.js";
import { createDatabase } from "./platform/db/prisma.js";
import { migrate } from "./platform/db/migrate.js";
import { answerCachePlugin, type CachedAnswers } from "./platform/graphql/answer-cache.js";
import { buildAppSchema, type ResolverClass } from "./platform/graphql/build-schema.js";
import type { ResolverServices } from "./platform/graphql/context.js";
import { createGraphQLServer, type RunningServer } from "./platform/graphql/server.js";
import { SystemResolver } from "./platform/graphql/system.resolver.js";
import { adminResolverClasses } from "./admin-resolvers.js";
import { resolverClasses } from "./resolvers.js";
import { RateLimiter } from "./platform/http/rate-limit.js";
import { RedisRateLimitStore } from "./platform/http/rate-limit.store.js";
import { mountWaitingRoom } from "./platform/http/waiting-room.js";
import { checkRedis, withMysql } from "./platform/startup-checks.js";
import { metricsPlugin } from "./platform/metrics/graphql-metrics.js";
import { httpRequestTimer } from "./platform/metrics/http-metrics.js";
import { AppMetrics } from "./platform/metrics/metrics.js";
import { createLogger, type Logger } from "./platform/logger.js";
import type { BackgroundJob, FeatureModule, Infrastructure } from "./platform/module.js";
import { createAppPubSub } from "./platform/redis/pubsub.js";
import { createRedis, logRedisHealth } from "./platform/redis/redis.js";
import { createCatalogueModule } from "./modules/catalogue/catalogue.module.js";
import { createConcertModule } from "./modules/concert/concert.module.js";
import { createLiveSaleModule } from "./modules/live-sale/live-sale.module.js";
import { createOperatorModule } from "./modules/operator/operator.module.js";
import { createPaymentModule } from "./modules/payment/payment.module.js";
import { createQueueModule } from "./modules/queue/queue.module.js";
import { createSaleModule, createSaleSchedule } from "./modules/sale/sale.module.js";
import { createReservationModule } from "./modules/reservation/reservation.module.js";
import { createUserModule } from "./modules/user/user.module.js";
import { createWalletModule } from "./modules/wallet/wallet.module.js";
import type { Redis } from "./platform/redis/redis.js";
import type { Topics } from "./platform/redis/topics.js";

export interface App {
  readonly config: Config;
  readonly log: Logger;
  readonly infra: Infrastructure;
  /** Migrates (and seeds), then listens. Resolves with the bound address. */
  start(): Promise<AddressInfo>;
  /** Graceful: stop accepting, close sockets, finish in-flight work, stop jobs, close pools. */
  stop(): Promise<void>;
}

/** Every feature module, in dependency order, and the services resolvers read from the context. */
function createModules(infra: Infrastructure): {
  modules: FeatureModule[];
  services: ResolverServices;
  userOfToken: (token: string | null) => string | null;
} {
  const user = createUserModule(infra);
  const schedule = createSaleSchedule(infra);
  const queue = createQueueModule(infra, { users: user.service, schedule });
  const sale = createSaleModule(infra, { schedule, prequeue: queue.prequeue, events: queue.events });
  const wallet = createWalletModule(infra, { guard: queue.guard });
  const concert = createConcertModule(infra, { guard: queue.guard });
  const reservation = createReservationModule(infra, {
    guard: queue.guard,
    pass: queue.pass,
    seats: concert.seats,
  });
  const operator = createOperatorModule(infra);
  const liveSale = createLiveSaleModule(infra, {
    queue,
    audit: operator.audit,
    operator: operator.auth,
    concertExists: (concertId) => queue.concerts.exists(concertId),
  });
  const payment = createPaymentModule(infra, {
    guard: queue.guard,
    pass: queue.pass,
    wallet: wallet.service,
    reservations: reservation.repository,
    afterPayment: reservation.service,
    soldOut: liveSale.soldOut,
  });
  const catalogue = createCatalogueModule(infra, {
    operator,
    caches: [queue.concerts, reservation.repository, concert.seats, schedule, liveSale.catalogueCache],
  });
  return {
    modules: [
      // The platform's own query (serverTime), not a feature.
      { resolvers: [new SystemResolver(infra.clock)] },
      user.module,
      queue.module,
      sale.module,
      wallet.module,
      concert.module,
      reservation.module,
      payment.module,
      operator.module,
      catalogue.module,
      liveSale.module,
    ],
    services: {
      queue: queue.service,
      queueUpdates: queue.updates,
      seatUpdates: concert.service,
      liveSale: liveSale.useCases,
    },
    userOfToken: queue.userOfToken,
  };
}

/**
 * A schema is built from its list in src/resolvers.ts (the one list its committed SDL file is
 * emitted from); the modules only supply the instances. A module's resolver missing from that
 * list, or a listed class no module supplies, stops the start.
 */
export function resolverContainer(instances: object[], classes: readonly ResolverClass[] = resolverClasses) {
  const byClass = new Map<ResolverClass, object>(instances.map((r) => [r.constructor, r]));
  const unlisted = [...byClass.keys()].filter((cls) => !classes.includes(cls)).map((cls) => cls.name);
  const missing = classes.filter((cls) => !byClass.has(cls)).map((cls) => cls.name);
  if (unlisted.length || missing.length) {
    throw new Error(
      `Resolvers and src/resolvers.ts disagree: not listed [${unlisted.join(", ")}], ` +
        `listed but not built [${missing.join(", ")}]`,
    );
  }
  return { get: (cls: ResolverClass) => byClass.get(cls) };
}

export function createApp(config: Config, overrides: { log?: Logger; clock?: Clock } = {}): App {
  const log = overrides.log ?? createLogger(config.LOG_LEVEL);
  const { prisma, sql, pool } = createDatabase(config.DATABASE_URL, config.DATABASE_POOL_SIZE);
  const redis = createRedis(config);
  const publisher = createRedis(config);
  const subscriber = createRedis(config, { sharded: true });
  const pubsub = createAppPubSub<Topics>(publisher, subscriber, config.REDIS_PREFIX, (error, what) =>
    log.warn({ err: error, what }, "redis pubsub command failed"),
  );
  const metrics = new AppMetrics();
  metrics.watchDatabasePool(pool);
  const infra: Infrastructure = {
    config,
    log,
    prisma,
    sql,
    redis,
    pubsub,
    clock: overrides.clock ?? systemClock,
    metrics,
  };

  let server: RunningServer | undefined;
  let jobs: BackgroundJob[] = [];

  return {
    config,
    log,
    infra,
    async start() {
      // Both servers must answer at start (UnreachableError: one line for a person, main.ts).
      const clients = { redis, publisher, subscriber };
      const releaseRedisCheck = await checkRedis(config.REDIS_URL, Object.values(clients));
      for (const [name, client] of Object.entries(clients)) logRedisHealth(client, log, name);
      releaseRedisCheck();
      const migrated = await withMysql(config.DATABASE_URL, () =>
        migrate(config.DATABASE_URL, {
          afterMigrate: async () => {
            if (config.SEED_DEMO_DATA) await seedDemoData(prisma, config.TZ_BUSINESS, infra.clock, log);
          },
        }),
      );
      if (migrated.applied.length) log.info({ applied: migrated.applied }, "migrations applied");

      const { modules, services, userOfToken } = createModules(infra);
      const schema = await buildAppSchema({
        resolvers: resolverClasses,
        container: resolverContainer(modules.flatMap((m) => m.resolvers)),
        pubSub: pubsub.raw,
      });
      const adminSchema = await buildAppSchema({
        resolvers: adminResolverClasses,
        container: resolverContainer(
          modules.flatMap((m) => m.adminResolvers ?? []),
          adminResolverClasses,
        ),
        pubSub: pubsub.raw,
      });
      server = await createGraphQLServer({
        schema,
        log,
        services,
        production: config.NODE_ENV === "production",
        graphiql: config.GRAPHIQL_ENABLED,
        trustProxy: config.TRUST_PROXY,
        shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
        rateLimiter: config.RATE_LIMIT_ENABLED
          ? createRateLimiter(config, redis, log, userOfToken)
          : undefined,
        extraRoutes: (app) => {
          mountWaitingRoom(app);
          app.get("/metrics", (_req, res, next) => {
            metrics
              .render()
              .then(({ contentType, body }) => res.type(contentType).send(body))
              .catch(next);
          });
        },
        httpTimer: httpRequestTimer(metrics.registry),
        plugins: [metricsPlugin(metrics)],
        publicPlugins: [
          answerCachePlugin(
            Object.assign({}, ...modules.map((m) => m.cachedAnswers)) as CachedAnswers,
            metrics,
          ),
        ],
        readiness: {
          mysql: async () => {
            await prisma.$queryRaw`SELECT 1`;
          },
          redis: async () => {
            await redis.ping();
          },
        },
        acceptConnection: everyCheck(
          modules.flatMap((m) => (m.acceptConnection ? [m.acceptConnection] : [])),
        ),
        // The Operator API (docs/api.md, "Operator API"): its own schema and keys on one port.
        endpoints: [
          {
            path: "/admin/graphql",
            schema: adminSchema,
            acceptConnection: everyCheck(
              modules.flatMap((m) => (m.acceptAdminConnection ? [m.acceptAdminConnection] : [])),
            ),
          },
        ],
      });
      const address = await server.listen(config.PORT, config.HOST);
      jobs = modules.flatMap((m) => m.jobs ?? []);
      for (const job of jobs) job.start();
      log.info({ port: address.port, host: address.address }, "listening");
      return address;
    },
    async stop() {
      await Promise.all(jobs.map((j) => j.stop()));
      if (server) await server.stop();
      await Promise.allSettled([redis.quit(), publisher.quit(), subscriber.quit()]);
      await prisma.$disconnect();
    },
  };
}

/** A WebSocket is accepted when every module's check accepts it (in module order, stopping at the first no). */
function everyCheck(
  checks: ((token: string | null, ip: string) => Promise<boolean>)[],
): (token: string | null, ip: string) => Promise<boolean> {
  return async (token, ip) => {
    for (const check of checks) if (!(await check(token, ip))) return false;
    return true;
  };
}

/** RATE_LIMIT_*: counted in Redis; the per-user budget is keyed by the user a valid token names. */
function createRateLimiter(
  config: Config,
  redis: Redis,
  log: Logger,
  userOf: (token: string | null) => string | null,
): RateLimiter {
  const store = new RedisRateLimitStore(redis, config.REDIS_PREFIX, {
    ip: config.RATE_LIMIT_IP_PER_SECOND,
    user: config.RATE_LIMIT_USER_PER_SECOND,
  });
  return new RateLimiter(store, userOf, log);
}
