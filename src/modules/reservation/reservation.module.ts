// Factory of the reservation feature for the composition root (src/app.ts#createModules).
import { intervalJob, type Feature, type Infrastructure } from "../../platform/module.js";
import type { QueueGuard, QueuePass } from "../queue/queue-guard.js";
import { ReservationRepository } from "./reservation.repository.js";
import { ReservationResolver } from "./reservation.resolver.js";
import { ReservationService, type SeatEvents, type SeatGate } from "./reservation.service.js";

/** How often each instance looks for lapsed holds to release and announce as FREE. */
export const SWEEP_INTERVAL_MS = 1000;

/**
 * `seats`: the concert feature's seat maps (concert/seat-board.ts), which publish every seat
 * change to all instances (SEAT_CHANGED) and refuse seats known taken.
 */
export function createReservationModule(
  infra: Infrastructure,
  deps: { guard: QueueGuard; pass: QueuePass; seats: SeatEvents & SeatGate },
): Feature<{ service: ReservationService; repository: ReservationRepository }> {
  const repository = new ReservationRepository({ prisma: infra.prisma, sql: infra.sql, clock: infra.clock });
  const service = new ReservationService({
    repository,
    guard: deps.guard,
    pass: deps.pass,
    events: deps.seats,
    gate: deps.seats,
    clock: infra.clock,
    holdSeconds: infra.config.HOLD_SECONDS,
    timeZone: infra.config.TZ_BUSINESS,
  });
  const sweeper = intervalJob("reservation-sweeper", SWEEP_INTERVAL_MS, infra.log, async () => {
    await service.sweepLapsedHolds();
  });
  return { module: { resolvers: [new ReservationResolver(service)], jobs: [sweeper] }, service, repository };
}
