// Every instance's in-memory seat map of the concerts it was asked about, kept exact by the
// SEAT_CHANGED events every instance hears (Redis pubsub), so that availableDates,
// availableSeats and seatMap answer without SQL, and reserveSeat refuses a seat known taken
// without a MySQL round trip (SeatGate). The hold itself is still decided by the INSERT.
//
// The maps and how they stay exact (reservation ids, per-date versions in Redis, re-reads, SQL
// meanwhile) are seat-maps.ts; docs/reservations.md, "Seat reads from memory".
import type { CatalogueChangedEvent, SeatChangedEvent } from "../../platform/redis/topics.js";
import type { SeatChangeDetail, SeatEvents, SeatGate } from "../reservation/reservation.service.js";
import type { AvailableDateView, ConcertDateRef, SeatStateView, SeatView } from "./concert.model.js";
import { countFree, bySeatNumber, stampOf, statusAt, type VersionedSeatChange } from "./seat-cells.js";
import { SeatMaps, type SeatMapsDeps } from "./seat-maps.js";

/** How often each instance compares its versions with Redis (a lost event is found by the second). */
export const CHECK_INTERVAL_MS = 250;
/**
 * A seat learned taken (an event, a load or a refusal by MySQL) is refused without MySQL for
 * this long, never longer than one hold: a gate made stale by a lost event can only send
 * requests on to MySQL after that (SeatBoard.knownTaken).
 */
export const GATE_MS = 500;

/** The maps' needs (SQL reads: their loads, and the answers for a date whose map is not ready), and the hold time. */
export interface SeatBoardDeps extends SeatMapsDeps {
  holdSeconds: number;
}

export class SeatBoard implements SeatEvents, SeatGate {
  private readonly maps: SeatMaps;
  private readonly gateMs: number;

  constructor(private readonly deps: SeatBoardDeps) {
    this.maps = new SeatMaps(deps);
    this.gateMs = Math.min(GATE_MS, deps.holdSeconds * 1000);
  }

  // Reads (ConcertReads).
  listConcerts() {
    return this.deps.repository.listConcerts();
  }

  async concertExists(concertId: string): Promise<boolean> {
    if (this.maps.has(concertId)) return true;
    return this.deps.repository.concertExists(concertId);
  }

  async findDate(concertDateId: string): Promise<ConcertDateRef | null> {
    const known = this.maps.known(concertDateId);
    if (known) return known.map.ref;
    const date = await this.deps.repository.findDate(concertDateId);
    if (date) await this.maps.ensure(date.concertId);
    return date;
  }

  async availableDates(concertId: string, from: Date): Promise<AvailableDateView[]> {
    const concert = await this.maps.ready(concertId);
    this.deps.metrics?.seatRead(concert ? "memory" : "sql");
    if (!concert) return this.deps.repository.availableDates(concertId, from);
    const day = from.toISOString().slice(0, 10);
    const now = this.maps.dbNow(concert);
    return concert.dates
      .filter((d) => d.ref.date.toISOString().slice(0, 10) >= day)
      .map((d) => ({ ...d.ref, availableSeatCount: countFree(d, now) }))
      .filter((d) => d.availableSeatCount > 0);
  }

  async availableSeats(concertDateId: string): Promise<SeatView[]> {
    const found = this.maps.readyDate(concertDateId);
    this.deps.metrics?.seatRead(found ? "memory" : "sql");
    if (!found) return this.deps.repository.availableSeats(concertDateId);
    const now = this.maps.dbNow(found.concert);
    return [...bySeatNumber(found.map)]
      .filter((c) => statusAt(c, now) === "FREE")
      .map((c) => ({ number: c.number, price: c.price }));
  }

  async seatMap(concertDateId: string): Promise<SeatStateView[]> {
    const found = this.maps.readyDate(concertDateId);
    this.deps.metrics?.seatRead(found ? "memory" : "sql");
    if (!found) return this.deps.repository.seatMap(concertDateId);
    const now = this.maps.dbNow(found.concert);
    return [...bySeatNumber(found.map)].map((c) => ({
      number: c.number,
      price: c.price,
      status: statusAt(c, now),
    }));
  }

  /**
   * The stamp of what availableSeats and seatMap answer for the date now (seat-cells.ts#stampOf),
   * for the answer cache (platform/graphql/answer-cache.ts); null while the date answers from SQL.
   */
  answerStamp(concertDateId: string): string | null {
    const found = this.maps.readyDate(concertDateId);
    return found ? stampOf(found.map, this.maps.dbNow(found.concert)) : null;
  }

  // The gate (SeatGate).
  knownTaken(concertId: string, concertDateId: string, seatNumber: number): boolean {
    // The first hold of a concert on this instance loads its map for the next ones.
    if (!this.maps.has(concertId)) void this.maps.ensure(concertId);
    const found = this.maps.readyDate(concertDateId);
    const cell = found?.map.cells.get(seatNumber);
    if (!found || !cell) return false;
    if (cell.status === "SOLD") return true;
    const local = this.deps.clock.now().getTime();
    return statusAt(cell, this.maps.dbNow(found.concert)) === "HELD" && local - cell.takenAt <= this.gateMs;
  }

  refused(concertDateId: string, seatNumber: number): void {
    const found = this.maps.readyDate(concertDateId);
    const cell = found?.map.cells.get(seatNumber);
    if (!found || !cell) return;
    if (statusAt(cell, this.maps.dbNow(found.concert)) === "FREE") {
      // MySQL knows better: the map missed something on this date.
      this.maps.reload(found.concert, new Set([concertDateId]));
      return;
    }
    cell.takenAt = this.deps.clock.now().getTime();
  }

  // Events (SeatEvents).
  /** Applies a change made here at once, then numbers it (INCR) and publishes it to every instance. */
  publish(change: SeatChangedEvent, detail?: SeatChangeDetail): void {
    const event: VersionedSeatChange = {
      ...change,
      ...(detail && { reservationId: detail.reservationId }),
      ...(detail?.expiresAt && { expiresAt: detail.expiresAt.getTime() }),
    };
    this.maps.apply(event);
    this.deps.redis.incr(this.maps.versionKey(change.concertDateId)).then(
      (version) => {
        const numbered: VersionedSeatChange = { ...event, version };
        this.deps.pubsub.publish("SEAT_CHANGED", change.concertDateId, numbered);
      },
      (error: unknown) => {
        this.deps.log.warn({ err: error }, "seat version INCR failed; publishing unnumbered");
        this.deps.pubsub.publish("SEAT_CHANGED", change.concertDateId, event);
      },
    );
  }

  /** One event heard on the date's channel (or made here). */
  apply(event: VersionedSeatChange): void {
    this.maps.apply(event);
  }

  /** Compares the maps' versions with Redis (SeatMaps.checkVersions); every CHECK_INTERVAL_MS. */
  checkVersions(): Promise<void> {
    return this.maps.checkVersions();
  }

  /** Drops what an operator changed (CATALOGUE_CHANGED); it is read again when next asked. */
  forget(event: CatalogueChangedEvent): void {
    this.maps.forget(event.concertId);
  }
}
