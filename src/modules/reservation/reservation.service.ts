// Seat holds: reserve, cancel, list, the payment hand-off and the expiry sweep. The rules live
// here; every race is decided by a statement of ReservationRepository (see its comments).
import { businessToday } from "../../platform/business-day.js";
import type { Clock } from "../../platform/clock.js";
import type { Db } from "../../platform/db/prisma.js";
import { DomainError } from "../../platform/errors.js";
import type { SeatChangedEvent } from "../../platform/redis/topics.js";
import type { QueueGuard, QueuePass } from "../queue/queue-guard.js";
import type { HoldOutcome, ReleasedSeat, ReservationView } from "./reservation.model.js";
import type { ReservationRepository } from "./reservation.repository.js";

export const SEATS_PER_DATE = 50;
/** myReservations shows this many, newest first. */
export const MY_RESERVATIONS_LIMIT = 100;
/** The sweeper releases at most this many lapsed holds per run. */
export const SWEEP_BATCH = 500;

/** Where seat changes go (the Redis pubsub topic SEAT_CHANGED, so every instance hears them). */
export interface SeatEvents {
  publish(change: SeatChangedEvent): void;
}

export type ReservationStore = Pick<
  ReservationRepository,
  | "findHoldTarget"
  | "hold"
  | "expireIfLapsed"
  | "findLapsed"
  | "cancelHeld"
  | "releaseOtherHolds"
  | "findOwned"
  | "listForUser"
>;

export interface ReservationServiceDeps {
  db: Db;
  repository: ReservationStore;
  guard: QueueGuard;
  pass: QueuePass;
  events: SeatEvents;
  clock: Clock;
  holdSeconds: number;
  timeZone: string;
}

function refusal(outcome: Exclude<HoldOutcome, { kind: "HELD" }>): DomainError {
  return outcome.kind === "SEAT_UNAVAILABLE"
    ? new DomainError(
        "SEAT_UNAVAILABLE",
        "This seat is held by someone else or sold. Pick another seat from availableSeats.",
      )
    : new DomainError(
        "ALREADY_RESERVED",
        "You already hold or own a seat on this date (one per user and date; see myReservations). Cancel your hold first to pick another seat.",
      );
}

export class ReservationService {
  constructor(private readonly deps: ReservationServiceDeps) {}

  /**
   * Holds a seat for HOLD_SECONDS. The outcome is decided by one INSERT under the unique
   * "live" indexes (ReservationRepository.hold), so two callers can never both hold one seat,
   * on any instance.
   */
  async reserveSeat(
    token: string | null,
    concertDateId: string,
    seatNumber: number,
  ): Promise<ReservationView> {
    const { guard, repository, db } = this.deps;
    const caller = await guard.authenticate(token);
    const target = await repository.findHoldTarget(db, concertDateId, seatNumber);
    if (!target)
      throw new DomainError("NOT_FOUND", "This concert date was not found. Pick one from availableDates.");
    await guard.requireActive(caller, target.concertId);
    if (!Number.isInteger(seatNumber) || seatNumber < 1 || seatNumber > SEATS_PER_DATE) {
      throw new DomainError(
        "BAD_USER_INPUT",
        `Seat numbers run from 1 to ${SEATS_PER_DATE}; pick one of those.`,
      );
    }
    if (target.date.getTime() < this.today().getTime()) {
      throw new DomainError("BAD_USER_INPUT", "This date is in the past. Pick a date from availableDates.");
    }
    if (!target.seat) throw new DomainError("NOT_FOUND", `Seat ${seatNumber} does not exist on this date.`);
    const seat = target.seat;

    const outcome = await repository.hold({
      userId: caller.userId,
      concertId: target.concertId,
      concertDateId,
      seatId: seat.id,
      seatNumber,
      price: seat.price,
      holdSeconds: this.deps.holdSeconds,
    });
    if (outcome.kind !== "HELD") {
      // A refused hold changes nothing of anyone's; lapsed holds it retired on the way were
      // free already and are announced as such.
      this.publishFree(outcome.released);
      throw refusal(outcome);
    }

    const held = outcome.reservation;
    this.publishFree(
      outcome.released.filter((r) => r.concertDateId !== concertDateId || r.seatNumber !== seatNumber),
    );
    this.deps.events.publish({ concertDateId, number: seatNumber, status: "HELD" });
    try {
      await this.deps.pass.extendActiveUntil(caller, held.expiresAt);
    } catch (error) {
      // A hold whose pass could run out before it is the one thing we must not leave behind.
      const undone = await repository.cancelHeld(db, held.id, caller.userId);
      if (undone.kind === "CANCELLED") this.publishFree([toReleased(held)]);
      throw error;
    }
    return held;
  }

  /** Gives a HELD seat back at once; the conditional UPDATE in cancelHeld decides. */
  async cancelReservation(token: string | null, reservationId: string): Promise<ReservationView> {
    const caller = await this.deps.guard.authenticate(token);
    const outcome = await this.deps.repository.cancelHeld(this.deps.db, reservationId, caller.userId);
    switch (outcome.kind) {
      case "CANCELLED":
        this.publishFree([toReleased(outcome.reservation)]);
        return outcome.reservation;
      case "NOT_FOUND":
        throw new DomainError("NOT_FOUND", "No reservation of yours has this id. See myReservations.");
      case "ALREADY_PAID":
        throw new DomainError(
          "ALREADY_PAID",
          "This reservation is paid; the seat is yours and cannot be given back.",
        );
      case "EXPIRED":
        throw new DomainError(
          "RESERVATION_EXPIRED",
          "This hold already ran out, was cancelled or was released; the seat is no longer yours.",
        );
    }
  }

  /** The caller's reservations across concerts, newest first, with live status. */
  async myReservations(token: string | null): Promise<ReservationView[]> {
    const caller = await this.deps.guard.authenticate(token);
    return this.deps.repository.listForUser(this.deps.db, caller.userId, MY_RESERVATIONS_LIMIT);
  }

  /**
   * Called by the payment feature after its transaction committed: the paid seat is SOLD, and
   * the user's other HELD seats of that concert are released (CANCELLED, or EXPIRED when they
   * had lapsed anyway), each by a conditional UPDATE, and pushed as FREE.
   */
  async afterPayment(userId: string, concertId: string, paidReservationId: string): Promise<void> {
    const { repository, db } = this.deps;
    const paid = await repository.findOwned(db, paidReservationId, userId);
    if (paid?.status === "CONFIRMED") {
      this.deps.events.publish({
        concertDateId: paid.concertDateId,
        number: paid.seatNumber,
        status: "SOLD",
      });
    }
    this.publishFree(await repository.releaseOtherHolds(db, userId, concertId, paidReservationId));
  }

  /**
   * Marks lapsed holds EXPIRED (live=NULL) and pushes their seats as FREE. Runs on every
   * instance at once: each row is moved by a conditional UPDATE that re-checks the lapse, so a
   * row is released (and published) by exactly one of them; CONFIRMED rows never match.
   * Returns how many holds this run released.
   */
  async sweepLapsedHolds(batch = SWEEP_BATCH): Promise<number> {
    const { repository, db } = this.deps;
    const released: ReleasedSeat[] = [];
    for (const candidate of await repository.findLapsed(db, batch)) {
      if (await repository.expireIfLapsed(candidate.reservationId)) released.push(candidate);
    }
    this.publishFree(released);
    return released.length;
  }

  private publishFree(seats: ReleasedSeat[]): void {
    for (const s of seats) {
      this.deps.events.publish({ concertDateId: s.concertDateId, number: s.seatNumber, status: "FREE" });
    }
  }

  private today(): Date {
    return businessToday(this.deps.clock.now(), this.deps.timeZone);
  }
}

function toReleased(r: ReservationView): ReleasedSeat {
  return { reservationId: r.id, concertDateId: r.concertDateId, seatNumber: r.seatNumber };
}
