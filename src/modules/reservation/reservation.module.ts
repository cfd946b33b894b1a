// Factory of the reservation feature for the composition root (src/app.ts#createModules).
import { intervalJob, type Infrastructure, type FeatureModule } from "../../platform/module.js";
import type { QueueGuard, QueuePass } from "../queue/queue-guard.js";
import { ReservationRepository } from "./reservation.repository.js";
import { ReservationResolver } from "./reservation.resolver.js";
import { ReservationService, type SeatEvents } from "./reservation.service.js";

/** How often each instance looks for lapsed holds to release and announce as FREE. */
export const SWEEP_INTERVAL_MS = 1000;

export function seatEventsOver(infra: Infrastructure): SeatEvents {
  return { publish: (change) => infra.pubsub.publish("SEAT_CHANGED", change.concertDateId, change) };
}

export function createReservationModule(
  infra: Infrastructure,
  deps: { guard: QueueGuard; pass: QueuePass },
): { module: FeatureModule; service: ReservationService; repository: ReservationRepository } {
  const repository = new ReservationRepository(infra.sql);
  const service = new ReservationService({
    db: infra.prisma,
    repository,
    guard: deps.guard,
    pass: deps.pass,
    events: seatEventsOver(infra),
    clock: infra.clock,
    holdSeconds: infra.config.HOLD_SECONDS,
    timeZone: infra.config.TZ_BUSINESS,
  });
  const sweeper = intervalJob("reservation-sweeper", SWEEP_INTERVAL_MS, infra.log, async () => {
    await service.sweepLapsedHolds();
  });
  return { module: { resolvers: [new ReservationResolver(service)], jobs: [sweeper] }, service, repository };
}
