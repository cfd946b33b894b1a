// Factory of the concert feature for the composition root (src/app.ts#createModules).
import type { Infrastructure, FeatureModule } from "../../platform/module.js";
import type { QueueGuard } from "../queue/queue-guard.js";
import { ConcertRepository } from "./concert.repository.js";
import { ConcertResolver } from "./concert.resolver.js";
import { ConcertService } from "./concert.service.js";
import { SeatUpdatesResolver } from "./seat-updates.resolver.js";

export function createConcertModule(
  infra: Infrastructure,
  deps: { guard: QueueGuard },
): { module: FeatureModule; service: ConcertService; repository: ConcertRepository } {
  const repository = new ConcertRepository(infra.prisma);
  const service = new ConcertService({
    repository,
    guard: deps.guard,
    clock: infra.clock,
    timeZone: infra.config.TZ_BUSINESS,
    seatChanges: (concertDateId) => infra.pubsub.subscribe("SEAT_CHANGED", concertDateId),
  });
  return {
    module: { resolvers: [new ConcertResolver(service), new SeatUpdatesResolver()] },
    service,
    repository,
  };
}
