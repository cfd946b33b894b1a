import { DomainError } from "../../platform/errors.js";
import { intervalJob, type Infrastructure, type FeatureModule } from "../../platform/module.js";
import type { AccessKeyVerifier } from "../user/user.service.js";
import { SaleControlRepository } from "../live-sale/sale-control.repository.js";
import { AdmissionControls } from "./admission-controls.js";
import { PrismaConcertLookup, type ConcertLookup } from "./concert-lookup.repository.js";
import { PrismaPaymentHistory, type PaymentHistory } from "./payment-history.repository.js";
import { QueueAccess, type QueueEvents } from "./queue-access.js";
import { RecoveringQueueStore } from "./queue-recovery.js";
import type { QueueGuard, QueuePass } from "./queue-guard.js";
import { QueueResolver } from "./queue.resolver.js";
import { QueueService } from "./queue.service.js";
import { type QueueSettings } from "./queue.model.js";
import { RedisQueueStore } from "./queue.store.js";
import { QueueTokenCodec } from "./queue-token.js";
import { QueueUpdatesHub } from "./queue-updates.js";
import { RedisPrequeueStore, type PrequeueStore } from "./prequeue.store.js";
import { noSchedule, type SaleSchedule } from "./sale-schedule.js";

export interface QueueModule {
  module: FeatureModule;
  guard: QueueGuard;
  pass: QueuePass;
  service: QueueService;
  updates: QueueUpdatesHub;
  controls: AdmissionControls;
  store: RedisQueueStore;
  /** The pre-queue's draw (the sale module's draw job) and the change events it publishes. */
  prequeue: PrequeueStore;
  events: QueueEvents;
}

export interface QueueDeps {
  users: AccessKeyVerifier;
  concerts?: ConcertLookup;
  payments?: PaymentHistory;
  /** Scheduled openings (the sale module); absent: every concert is on sale now. */
  schedule?: SaleSchedule;
}

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

/** The queue's services on the given infrastructure, without resolvers or jobs. */
export function createQueueCore(infra: Infrastructure, deps: QueueDeps) {
  const { config, clock, log, pubsub } = infra;
  const settings = queueSettings(config);
  const codec = new QueueTokenCodec(config.TOKEN_SECRETS, config.TOKEN_MAX_AGE_SECONDS, clock);
  const replicaWait = { replicas: config.REDIS_WAIT_REPLICAS, timeoutMs: config.REDIS_WAIT_TIMEOUT_MS };
  const redisStore = new RedisQueueStore(infra.redis, config.REDIS_PREFIX, settings, replicaWait);
  const prequeue = new RedisPrequeueStore(infra.redis, config.REDIS_PREFIX, settings, replicaWait);
  const schedule = deps.schedule ?? noSchedule;
  // Every reader of tickets goes through recovery, so a lost ticket is restored wherever its
  // token is presented (poll, subscription, seat or payment call).
  const store = new RecoveringQueueStore(
    redisStore,
    deps.payments ?? new PrismaPaymentHistory(infra.prisma),
    log,
    { schedule, store: prequeue },
  );
  const events: QueueEvents = {
    changed: (concertId, at, userId) =>
      pubsub.publish("QUEUE_CHANGED", concertId, { concertId, at, ...(userId ? { userId } : {}) }),
  };
  const access = new QueueAccess(codec, store, events, clock);
  // A flip of pause or sold out is pushed to this instance's subscribers of the concert (the
  // hub is made below; flips happen only once the app runs).
  const controls = new AdmissionControls(
    new SaleControlRepository(infra.sql),
    { maxActive: settings.maxActive, admitPerTick: settings.admitPerTick },
    log,
    (concertId) => updates.refreshConcert(concertId),
  );
  const service = new QueueService({
    store,
    codec,
    access,
    users: deps.users,
    concerts: deps.concerts ?? new PrismaConcertLookup(infra.prisma),
    events,
    clock,
    settings,
    log,
    schedule,
    metrics: infra.metrics,
    controls,
  });
  const updates = new QueueUpdatesHub(
    access,
    store,
    { listen: (concertId) => pubsub.subscribe("QUEUE_CHANGED", concertId) },
    (caller, view) => service.present(caller, view),
    clock,
    log,
    (ms) => infra.metrics.pushed(ms),
  );
  return { settings, codec, store: redisStore, prequeue, events, access, service, updates, controls };
}

export function createQueueModule(infra: Infrastructure, deps: QueueDeps): QueueModule {
  const { settings, access, service, updates, store, prequeue, events, controls } = createQueueCore(
    infra,
    deps,
  );
  const log = infra.log;
  infra.metrics.watchQueues({
    concerts: () => store.concerts(),
    sizes: (concertId) => store.sizes(concertId, infra.clock.now().getTime()),
  });
  // Subscribers refresh their heartbeat well within the idle limit.
  const heartbeatMs = Math.max(500, Math.min(settings.idleMs / 3, 15_000));
  return {
    module: {
      resolvers: [new QueueResolver()],
      jobs: [
        intervalJob("queue-admission", settings.tickMs, log, () => service.tick()),
        intervalJob("queue-heartbeat", heartbeatMs, log, () => updates.heartbeat()),
      ],
      acceptConnection: async (token) => {
        if (token === null) return true;
        try {
          await access.authenticate(token);
          return true;
        } catch (error) {
          if (error instanceof DomainError) return false;
          throw error;
        }
      },
    },
    guard: access,
    pass: access,
    service,
    updates,
    controls,
    store,
    prequeue,
    events,
  };
}
