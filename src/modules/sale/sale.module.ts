// Factory of scheduled sales for the composition root (src/app.ts#createModules): the schedule
// the queue reads (created first, handed to the queue module and to the catalogue's cache
// invalidation), then the draw job and the public saleDraw query (which need the queue's
// pre-queue store and events).
import { intervalJob, type Feature, type Infrastructure } from "../../platform/module.js";
import type { PrequeueStore } from "../queue/prequeue.store.js";
import type { QueueEvents } from "../queue/queue-access.js";
import { SaleDrawRepository } from "./sale-draw.repository.js";
import { SaleDrawService } from "./sale-draw.service.js";
import { SaleScheduleCache } from "./sale-schedule.cache.js";
import { SaleResolver } from "./sale.resolver.js";

export function createSaleSchedule(infra: Infrastructure): SaleScheduleCache {
  return new SaleScheduleCache(new SaleDrawRepository(infra.prisma), infra.clock, infra.config.QUEUE_TICK_MS);
}

export function createSaleModule(
  infra: Infrastructure,
  deps: { schedule: SaleScheduleCache; prequeue: PrequeueStore; events: QueueEvents },
): Feature<{ service: SaleDrawService }> {
  const service = new SaleDrawService({
    repository: new SaleDrawRepository(infra.prisma),
    prequeue: deps.prequeue,
    events: deps.events,
    clock: infra.clock,
    log: infra.log,
  });
  return {
    module: {
      resolvers: [new SaleResolver(service)],
      jobs: [intervalJob("sale-draw", infra.config.QUEUE_TICK_MS, infra.log, () => service.drawDue())],
    },
    service,
  };
}
