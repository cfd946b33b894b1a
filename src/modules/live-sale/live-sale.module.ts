// Factory of the live-sale feature (pause, policy, figures, sold out) for the composition root.
// Its operations are served on the operator endpoint (/admin/graphql) only.
import type { GraphQLContext } from "../../platform/graphql/context.js";
import { intervalJob, type Feature, type Infrastructure } from "../../platform/module.js";
import type { CatalogueCache } from "../catalogue/catalogue-events.js";
import type { AdmissionControls } from "../queue/admission-controls.js";
import type { RedisQueueStore } from "../queue/queue.store.js";
import { SaleControlRepository } from "./sale-control.repository.js";
import { LiveSaleResolver, type LiveSaleUseCases } from "./live-sale.resolver.js";
import { SaleControlService, type AuditedRunner, type OperatorRef } from "./sale-control.service.js";
import { SaleFiguresStore } from "./sale-figures.store.js";
import { SaleStatsHub } from "./sale-stats-updates.js";
import { SaleStatsRepository, SoldOutRepository } from "./sale-stats.repository.js";
import { SaleStatsService } from "./sale-stats.service.js";
import { SoldOutWatch } from "./sold-out.js";

export type LiveSaleModule = Feature<{
  /** For GraphQLContext.services.liveSale. */
  useCases: LiveSaleUseCases;
  /** For the payment's after-payment step: was that the concert's last open seat? */
  soldOut: SoldOutWatch;
  /** For the catalogue's CATALOGUE_CHANGED listener. */
  catalogueCache: CatalogueCache;
}>;

export function createLiveSaleModule(
  infra: Infrastructure,
  deps: {
    queue: { controls: AdmissionControls; store: Pick<RedisQueueStore, "concerts"> };
    audit: AuditedRunner;
    /** The calling operator of an admin request (the operator module's auth). */
    operator: { operator(ctx: GraphQLContext): Promise<OperatorRef> };
    concertExists(concertId: string): Promise<boolean>;
  },
): LiveSaleModule {
  const { config, clock, log, pubsub } = infra;
  const defaults = { maxActive: config.QUEUE_MAX_ACTIVE, admitPerTick: config.QUEUE_ADMIT_PER_TICK };
  const repository = new SaleControlRepository(infra.sql);
  const figures = new SaleFiguresStore(infra.redis, config.REDIS_PREFIX);
  const controls = new SaleControlService({
    controls: repository,
    concertExists: deps.concertExists,
    audit: deps.audit,
    defaults,
    clock,
    announce: (concertId) => pubsub.publish("CATALOGUE_CHANGED", { concertId }),
  });
  const stats = new SaleStatsService({
    seats: new SaleStatsRepository(infra.sql),
    queue: figures,
    controls: repository,
    defaults,
    clock,
    timeZone: config.TZ_BUSINESS,
  });
  const statsUpdates = new SaleStatsHub(stats, log);
  const soldOut = new SoldOutWatch(new SoldOutRepository(infra.sql), figures, clock, config.TZ_BUSINESS);
  infra.metrics.watchSales({ concerts: () => deps.queue.store.concerts(), stats: (id) => stats.stats(id) });
  // A control or a date changed (CATALOGUE_CHANGED, through the catalogue's one listener): the
  // pause is in force here at once, and a new date may un-sell the concert.
  const catalogueCache: CatalogueCache = {
    forget: ({ concertId }) => {
      void (async () => {
        await deps.queue.controls.reload(concertId);
        await soldOut.check(concertId);
      })().catch((error: unknown) =>
        log.warn({ err: error, concertId }, "catalogue change not applied to the sale controls"),
      );
    },
  };
  // Read by LiveSaleResolver from the context (GraphQLContext.services.liveSale).
  const useCases: LiveSaleUseCases = {
    controls,
    stats,
    updates: statsUpdates,
    operator: (ctx) => deps.operator.operator(ctx),
  };
  return {
    module: {
      resolvers: [],
      adminResolvers: [new LiveSaleResolver()],
      jobs: [intervalJob("sale-stats-updates", config.QUEUE_TICK_MS, log, () => statsUpdates.tick())],
    },
    useCases,
    soldOut,
    catalogueCache,
  };
}
