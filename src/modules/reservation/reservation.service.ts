// Seat holds: reserve, cancel, list, the payment hand-off and the expiry sweep. The rules live
// here; every race is decided by a statement of ReservationRepository (see its comments).
import { businessToday } from "../../platform/business-day.js";
import type { Clock } from "../../platform/clock.js";
import type { SeatChangedEvent } from "../../platform/redis/topics.js";
import type { QueueCaller, QueueGuard, QueuePass } from "../queue/queue-guard.js";
import * as errors from "./reservation.errors.js";
import type { HoldOutcome, HoldTarget, ReleasedSeat, ReservationView } from "./reservation.model.js";
import type { ReservationRepository } from "./reservation.repository.js";

const SEATS_PER_DATE = 50;
/** myReservations shows this many, newest first. */
const MY_RESERVATIONS_LIMIT = 100;
/** The sweeper releases at most this many lapsed holds per run. */
const SWEEP_BATCH = 500;

/** Which reservation a change is about, for the in-memory seat maps (concert/seat-board.ts). */
export interface SeatChangeDetail {
  reservationId: string;
  /** When the hold runs out (HELD only), by the database clock. */
  expiresAt?: Date;
}

/** Where seat changes go (the Redis pubsub topic SEAT_CHANGED, so every instance hears them). */
export interface SeatEvents {
  publish(change: SeatChangedEvent, detail?: SeatChangeDetail): void;
}

/**
 * Refuses cheaply a seat already known to be taken, without a MySQL round trip. It may only be
 * wrong towards letting a request through: the INSERT decides every hold.
 */
export interface SeatGate {
  knownTaken(concertId: string, concertDateId: string, seatNumber: number): boolean;
  /** The INSERT refused this seat (SEAT_UNAVAILABLE): it is taken as of now. */
  refused(concertDateId: string, seatNumber: number): void;
}

export type ReservationStore = Pick<
  ReservationRepository,
  | "findHoldTarget"
  | "hold"
  | "expireIfLapsed"
  | "findLapsed"
  | "cancelHeld"
  | "releaseOtherHolds"
  | "listForUser"
>;

export interface ReservationServiceDeps {
  repository: ReservationStore;
  guard: QueueGuard;
  pass: QueuePass;
  events: SeatEvents;
  /** Absent: every plausible request reaches the INSERT. */
  gate?: SeatGate;
  clock: Clock;
  holdSeconds: number;
  timeZone: string;
}

type Refused = Exclude<HoldOutcome, { kind: "HELD" }>;
/** A seat that exists on a date the caller may buy for. */
type Seat = HoldTarget & { seat: NonNullable<HoldTarget["seat"]>; seatNumber: number };

const GATED: Refused = { kind: "SEAT_UNAVAILABLE", released: [] };

export class ReservationService {
  /**
   * The INSERT in flight on this instance for each seat. A burst asks for few seats many times
   * over: the requests behind the first wait for its outcome instead of queueing their own
   * INSERTs on the same index lock, and are refused when it took the seat.
   */
  private readonly inFlight = new Map<string, Promise<HoldOutcome>>();

  constructor(private readonly deps: ReservationServiceDeps) {}

  /**
   * Holds a seat for HOLD_SECONDS. The outcome is decided by one INSERT under the unique
   * "live" indexes (ReservationRepository.hold), so two callers can never both hold one seat,
   * on any instance; a seat known taken is refused before it (SeatGate).
   */
  async reserveSeat(
    token: string | null,
    concertDateId: string,
    seatNumber: number,
  ): Promise<ReservationView> {
    const caller = await this.deps.guard.authenticate(token);
    const seat = await this.findSeat(caller, concertDateId, seatNumber);
    const outcome = await this.decide(caller, seat);
    this.announce(outcome);
    if (outcome.kind !== "HELD") throw refusal(outcome);
    return this.keepPassUntilLapse(caller, outcome.reservation);
  }

  /** Gives a HELD seat back at once; the conditional UPDATE in cancelHeld decides. */
  async cancelReservation(token: string | null, reservationId: string): Promise<ReservationView> {
    const caller = await this.deps.guard.authenticate(token);
    const outcome = await this.deps.repository.cancelHeld(reservationId, caller.userId);
    switch (outcome.kind) {
      case "CANCELLED":
        this.publishFree([toReleased(outcome.reservation)]);
        return outcome.reservation;
      case "NOT_FOUND":
        throw errors.reservationNotFound();
      case "ALREADY_PAID":
        throw errors.alreadyPaid();
      case "EXPIRED":
        throw errors.holdOver();
    }
  }

  /** The caller's reservations across concerts, newest first, with live status. */
  async myReservations(token: string | null): Promise<ReservationView[]> {
    const caller = await this.deps.guard.authenticate(token);
    return this.deps.repository.listForUser(caller.userId, MY_RESERVATIONS_LIMIT);
  }

  /**
   * Called by the payment feature after its transaction committed `paid` as CONFIRMED: the seat
   * is SOLD, and the user's other HELD seats of that concert are released (CANCELLED, or EXPIRED
   * when they had lapsed anyway), each by a conditional UPDATE, and pushed as FREE.
   */
  async afterPayment(
    paid: Pick<ReservationView, "id" | "userId" | "concertId" | "concertDateId" | "seatNumber">,
  ): Promise<void> {
    const { repository, events } = this.deps;
    events.publish(
      { concertDateId: paid.concertDateId, number: paid.seatNumber, status: "SOLD" },
      { reservationId: paid.id },
    );
    this.publishFree(await repository.releaseOtherHolds(paid.userId, paid.concertId, paid.id));
  }

  /**
   * Marks lapsed holds EXPIRED (live=NULL) and pushes their seats as FREE. Runs on every
   * instance at once: each row is moved by a conditional UPDATE that re-checks the lapse, so a
   * row is released (and published) by exactly one of them; CONFIRMED rows never match.
   * Returns how many holds this run released.
   */
  async sweepLapsedHolds(batch = SWEEP_BATCH): Promise<number> {
    const { repository } = this.deps;
    const released: ReleasedSeat[] = [];
    for (const candidate of await repository.findLapsed(batch)) {
      if (await repository.expireIfLapsed(candidate.reservationId)) released.push(candidate);
    }
    this.publishFree(released);
    return released.length;
  }

  /** The date (NOT_FOUND), then the caller's pass for its concert, then the seat and the day. */
  private async findSeat(caller: QueueCaller, concertDateId: string, seatNumber: number): Promise<Seat> {
    const target = await this.deps.repository.findHoldTarget(concertDateId, seatNumber);
    if (!target) throw errors.dateNotFound();
    await this.deps.guard.requireActive(caller, target.concertId);
    if (!Number.isInteger(seatNumber) || seatNumber < 1 || seatNumber > SEATS_PER_DATE) {
      throw errors.seatOutOfRange(SEATS_PER_DATE);
    }
    if (target.date.getTime() < businessToday(this.deps.clock.now(), this.deps.timeZone).getTime()) {
      throw errors.dateInPast();
    }
    if (!target.seat) throw errors.seatNotFound(seatNumber);
    return { ...target, seat: target.seat, seatNumber };
  }

  /**
   * A seat known taken is refused at once, and so is a seat that an INSERT in flight here has
   * just held for someone else; every other request is decided by its own INSERT. Both
   * refusals are of a seat MySQL holds as taken at that moment.
   */
  private async decide(caller: QueueCaller, target: Seat): Promise<HoldOutcome> {
    const { concertId, concertDateId, seatNumber } = target;
    if (this.deps.gate?.knownTaken(concertId, concertDateId, seatNumber)) return GATED;
    const key = `${concertDateId}:${seatNumber}`;
    const ahead = this.inFlight.get(key);
    if (ahead) {
      // Its failure is its own caller's answer; this request then tries for itself.
      const first = await ahead.catch(() => null);
      if (first?.kind === "HELD" || first?.kind === "SEAT_UNAVAILABLE") return GATED;
      if (this.inFlight.has(key)) return this.decide(caller, target);
    }
    const outcome = this.insertHold(caller, target);
    this.inFlight.set(key, outcome);
    try {
      return await outcome;
    } finally {
      if (this.inFlight.get(key) === outcome) this.inFlight.delete(key);
    }
  }

  private async insertHold(caller: QueueCaller, target: Seat): Promise<HoldOutcome> {
    const { concertId, concertDateId, seatNumber } = target;
    const outcome = await this.deps.repository.hold({
      userId: caller.userId,
      concertId,
      concertDateId,
      seatId: target.seat.id,
      seatNumber,
      price: target.seat.price,
      holdSeconds: this.deps.holdSeconds,
    });
    if (outcome.kind === "SEAT_UNAVAILABLE") this.deps.gate?.refused(concertDateId, seatNumber);
    return outcome;
  }

  /**
   * Lapsed holds the call retired on its way were free already and are announced as such; a
   * refused hold changes nothing else of anyone's.
   */
  private announce(outcome: HoldOutcome): void {
    if (outcome === GATED) return;
    if (outcome.kind !== "HELD") return this.publishFree(outcome.released);
    const { concertDateId, seatNumber, id, expiresAt } = outcome.reservation;
    this.publishFree(
      outcome.released.filter((r) => r.concertDateId !== concertDateId || r.seatNumber !== seatNumber),
    );
    this.deps.events.publish(
      { concertDateId, number: seatNumber, status: "HELD" },
      { reservationId: id, expiresAt },
    );
  }

  /** A hold whose pass could run out before it is the one thing we must not leave behind. */
  private async keepPassUntilLapse(caller: QueueCaller, held: ReservationView): Promise<ReservationView> {
    try {
      await this.deps.pass.extendActiveUntil(caller, held.expiresAt);
    } catch (error) {
      const undone = await this.deps.repository.cancelHeld(held.id, caller.userId);
      if (undone.kind === "CANCELLED") this.publishFree([toReleased(held)]);
      throw error;
    }
    return held;
  }

  private publishFree(seats: ReleasedSeat[]): void {
    for (const s of seats) {
      this.deps.events.publish(
        { concertDateId: s.concertDateId, number: s.seatNumber, status: "FREE" },
        { reservationId: s.reservationId },
      );
    }
  }
}

function refusal(outcome: Refused) {
  return outcome.kind === "SEAT_UNAVAILABLE" ? errors.seatUnavailable() : errors.alreadyReserved();
}

function toReleased(r: ReservationView): ReleasedSeat {
  return { reservationId: r.id, concertDateId: r.concertDateId, seatNumber: r.seatNumber };
}
