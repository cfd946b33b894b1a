// Factory of the concert feature for the composition root (src/app.ts#createModules).
import type { GraphQLContext } from "../../platform/graphql/context.js";
import { intervalJob, type Feature, type Infrastructure } from "../../platform/module.js";
import type { QueueGuard } from "../queue/queue-guard.js";
import { ConcertRepository } from "./concert.repository.js";
import { ConcertResolver } from "./concert.resolver.js";
import { ConcertService } from "./concert.service.js";
import { CHECK_INTERVAL_MS, SeatBoard } from "./seat-board.js";
import { SeatUpdatesResolver } from "./seat-updates.resolver.js";

/**
 * `seats`: the in-memory seat maps; the reservation feature publishes its seat changes through
 * them and asks them first whether a seat is known taken; the catalogue makes them forget.
 */
export function createConcertModule(
  infra: Infrastructure,
  deps: { guard: QueueGuard },
): Feature<{ service: ConcertService; seats: SeatBoard }> {
  const seats = new SeatBoard({
    redis: infra.redis,
    pubsub: infra.pubsub,
    prefix: infra.config.REDIS_PREFIX,
    clock: infra.clock,
    log: infra.log,
    repository: new ConcertRepository(infra.prisma),
    holdSeconds: infra.config.HOLD_SECONDS,
    metrics: infra.metrics,
  });
  const service = new ConcertService({
    repository: seats,
    guard: deps.guard,
    clock: infra.clock,
    timeZone: infra.config.TZ_BUSINESS,
    stamps: seats,
    seatChanges: (concertDateId) => infra.pubsub.subscribe("SEAT_CHANGED", concertDateId),
  });
  // The seat reads' whole answers are kept while their date's map stays as it was.
  const seatRead = (args: Record<string, unknown>, ctx: GraphQLContext) =>
    service.seatReadStamp(ctx.token, String(args["concertDateId"]));
  const versions = intervalJob("seat-versions", CHECK_INTERVAL_MS, infra.log, () => seats.checkVersions());
  return {
    module: {
      resolvers: [new ConcertResolver(service), new SeatUpdatesResolver()],
      jobs: [versions],
      cachedAnswers: { availableSeats: seatRead, seatMap: seatRead },
    },
    service,
    seats,
  };
}
