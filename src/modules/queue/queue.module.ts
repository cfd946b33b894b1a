// Factory of the waiting queue for the composition root: its services, resolver and jobs.
import { DomainError } from "../../platform/errors.js";
import { intervalJob, type Feature, type Infrastructure } from "../../platform/module.js";
import { ConcertRepository } from "../concert/concert.repository.js";
import { SaleControlRepository } from "../live-sale/sale-control.repository.js";
import type { AccessKeyVerifier } from "../user/user.service.js";
import { AdmissionControls } from "./admission-controls.js";
import { CachedConcertLookup } from "./concert-lookup.js";
import { PrismaPaymentHistory } from "./payment-history.repository.js";
import { RedisPrequeueStore, type PrequeueStore } from "./prequeue.store.js";
import { CATCH_UP_MS } from "./push-cadence.js";
import { QueueAccess, type QueueEvents } from "./queue-access.js";
import type { QueueCaller, QueueGuard, QueuePass } from "./queue-guard.js";
import type { QueueSettings } from "./queue.model.js";
import { RecoveringQueueStore } from "./queue-recovery.js";
import { QueueResolver } from "./queue.resolver.js";
import { QueueService } from "./queue.service.js";
import { RedisQueueStore } from "./queue.store.js";
import { QueueTokenCodec } from "./queue-token.js";
import { QueueUpdatesHub } from "./queue-updates.js";
import { noSchedule, type SaleSchedule } from "./sale-schedule.js";

export interface QueueDeps {
  users: AccessKeyVerifier;
  /** Scheduled openings (the sale module); absent: every concert is on sale now. */
  schedule?: SaleSchedule;
}

/** What the other modules use of the queue. */
export type QueueModule = Feature<{
  guard: QueueGuard;
  pass: QueuePass;
  service: QueueService;
  updates: QueueUpdatesHub;
  controls: AdmissionControls;
  /** The concerts that have a queue (the live-sale figures' metrics). */
  store: Pick<RedisQueueStore, "concerts">;
  /**
   * The user a queue token was signed for, or null for a missing or invalid one: the rate
   * limiter's per-user budget, verified by the same codec (and its remembered tokens) as the
   * guard, so a token is checked once per process, not once per consumer.
   */
  userOfToken: (token: string | null) => string | null;
  /** The pre-queue's draw (the sale module's draw job) and the change events it publishes. */
  prequeue: PrequeueStore;
  events: QueueEvents;
  /** Does a concert exist (cached; the catalogue's changes drop an entry, live-sale asks it too). */
  concerts: CachedConcertLookup;
}>;

export function queueSettings(config: Infrastructure["config"]): QueueSettings {
  return {
    maxActive: config.QUEUE_MAX_ACTIVE,
    admitPerTick: config.QUEUE_ADMIT_PER_TICK,
    tickMs: config.QUEUE_TICK_MS,
    activeMs: config.QUEUE_ACTIVE_SECONDS * 1000,
    idleMs: config.QUEUE_IDLE_SECONDS * 1000,
    maxAgeMs: config.TOKEN_MAX_AGE_SECONDS * 1000,
  };
}

export function createQueueModule(infra: Infrastructure, deps: QueueDeps): QueueModule {
  const { config, clock, log, pubsub } = infra;
  const settings = queueSettings(config);
  const codec = new QueueTokenCodec(config.TOKEN_SECRETS, config.TOKEN_MAX_AGE_SECONDS, clock);
  const replicaWait = { replicas: config.REDIS_WAIT_REPLICAS, timeoutMs: config.REDIS_WAIT_TIMEOUT_MS };
  const redisStore = new RedisQueueStore(infra.redis, config.REDIS_PREFIX, settings, replicaWait);
  const prequeue = new RedisPrequeueStore(infra.redis, config.REDIS_PREFIX, settings, replicaWait);
  const schedule = deps.schedule ?? noSchedule;
  const concerts = new CachedConcertLookup(new ConcertRepository(infra.prisma));
  // Every reader of tickets goes through recovery, so a lost ticket is restored wherever its
  // token is presented (poll, subscription, seat or payment call).
  const store = new RecoveringQueueStore({
    inner: redisStore,
    payments: new PrismaPaymentHistory(infra.prisma),
    log,
    prequeue: { schedule, store: prequeue },
  });
  const events: QueueEvents = {
    changed: (concertId, at, userId) =>
      pubsub.publish("QUEUE_CHANGED", concertId, { concertId, at, ...(userId ? { userId } : {}) }),
  };
  const access = new QueueAccess({ codec, store, events, clock });
  // A flip of pause or sold out is pushed to this instance's subscribers of the concert (the
  // hub is made below; flips happen only once the app runs).
  const controls = new AdmissionControls({
    source: new SaleControlRepository(infra.sql),
    defaults: { maxActive: settings.maxActive, admitPerTick: settings.admitPerTick },
    log,
    onFlip: (concertId) => updates.refreshConcert(concertId),
  });
  const service = new QueueService({
    store,
    codec,
    access,
    users: deps.users,
    concerts,
    events,
    clock,
    settings,
    log,
    schedule,
    metrics: infra.metrics,
    controls,
  });
  const updates = new QueueUpdatesHub({
    guard: access,
    store,
    feed: { listen: (concertId) => pubsub.subscribe("QUEUE_CHANGED", concertId) },
    present: (caller, view) => service.present(caller, view),
    maxAdmissionRate: (concertId) => service.maxAdmissionRate(concertId),
    clock,
    log,
    observePush: (ms) => infra.metrics.pushed(ms),
  });
  infra.metrics.watchQueues({
    concerts: () => redisStore.concerts(),
    sizes: (concertId) => redisStore.sizes(concertId, clock.now().getTime()),
  });
  /** Who a token names, or null when it is not a valid token (UNAUTHENTICATED). */
  const callerOf = (token: string): QueueCaller | null => {
    try {
      return codec.verify(token);
    } catch (error) {
      if (error instanceof DomainError) return null;
      throw error;
    }
  };
  // Subscribers refresh their heartbeat well within the idle limit.
  const heartbeatMs = Math.max(500, Math.min(settings.idleMs / 3, 15_000));
  return {
    module: {
      resolvers: [new QueueResolver()],
      jobs: [
        intervalJob("queue-admission", settings.tickMs, log, () => service.tick()),
        intervalJob("queue-heartbeat", heartbeatMs, log, () => updates.heartbeat()),
        intervalJob("queue-push-catch-up", CATCH_UP_MS, log, () => updates.catchUp()),
      ],
      // A socket without a token may still subscribe to what needs none; a bad token is refused.
      acceptConnection: async (token) => token === null || callerOf(token) !== null,
    },
    guard: access,
    pass: access,
    userOfToken: (token) => (token === null ? null : (callerOf(token)?.userId ?? null)),
    service,
    updates,
    controls,
    store: redisStore,
    prequeue,
    events,
    concerts,
  };
}
