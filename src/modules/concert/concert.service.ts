// Browsing concerts, dates and seats, and the live seat map. Who may look: anyone for the
// concert list; an ACTIVE queue token for that concert for everything about its dates.
import { businessToday } from "../../platform/business-day.js";
import type { Clock } from "../../platform/clock.js";
import type { SeatChangedEvent } from "../../platform/redis/topics.js";
import type { QueueGuard } from "../queue/queue-guard.js";
import type {
  AvailableDateView,
  ConcertDateRef,
  ConcertView,
  SeatStateView,
  SeatView,
} from "./concert.model.js";
import { concertNotFound, dateNotFound } from "./concert.errors.js";
import type { ConcertRepository } from "./concert.repository.js";

export type ConcertReads = Pick<
  ConcertRepository,
  "listConcerts" | "concertExists" | "findDate" | "availableDates" | "availableSeats" | "seatMap"
>;

export interface ConcertServiceDeps {
  /** In production the in-memory seat maps (seat-board.ts), which fall back to the SQL reads. */
  repository: ConcertReads;
  guard: QueueGuard;
  clock: Clock;
  timeZone: string;
  /**
   * The stamps of the in-memory maps' answers (seat-board.ts#answerStamp), for the answer cache;
   * without them no seat read is kept.
   */
  stamps?: { answerStamp(concertDateId: string): string | null };
  /** The seat changes of one date, as published on any instance (Redis pubsub SEAT_CHANGED). */
  seatChanges: (concertDateId: string) => AsyncIterable<SeatChangedEvent>;
}

export class ConcertService {
  constructor(private readonly deps: ConcertServiceDeps) {}

  concerts(): Promise<ConcertView[]> {
    return this.deps.repository.listConcerts();
  }

  /** Dates on or after `from` (never before today in TZ_BUSINESS) with at least one free seat. */
  async availableDates(
    token: string | null,
    concertId: string,
    from?: Date | null,
  ): Promise<AvailableDateView[]> {
    const caller = await this.deps.guard.authenticate(token);
    if (!(await this.deps.repository.concertExists(concertId))) {
      throw concertNotFound();
    }
    await this.deps.guard.requireActiveToRead(caller, concertId);
    const today = this.today();
    const start = from && from.getTime() > today.getTime() ? from : today;
    return this.deps.repository.availableDates(concertId, start);
  }

  /** Free seats of a date by number; an empty list when none is left or the date has passed. */
  async availableSeats(token: string | null, concertDateId: string): Promise<SeatView[]> {
    const date = await this.activeDate(token, concertDateId, "read");
    if (this.isPast(date)) return [];
    return this.deps.repository.availableSeats(concertDateId);
  }

  /** All seats of a date with FREE / HELD / SOLD. */
  async seatMap(token: string | null, concertDateId: string): Promise<SeatStateView[]> {
    await this.activeDate(token, concertDateId, "read");
    return this.deps.repository.seatMap(concertDateId);
  }

  /**
   * The answer cache's stamp (platform/graphql/answer-cache.ts) for availableSeats and seatMap
   * of the date, after the same checks as those reads (they throw the same refusals): the
   * map's stamp and whether the day has passed; null while the date answers from SQL.
   */
  async seatReadStamp(token: string | null, concertDateId: string): Promise<string | null> {
    const date = await this.activeDate(token, concertDateId, "read");
    const stamp = this.deps.stamps?.answerStamp(concertDateId) ?? null;
    return stamp === null ? null : `${stamp}.${this.isPast(date) ? "past" : "open"}`;
  }

  /** Checks the caller once, then streams every change of that date's seats. */
  async seatUpdates(token: string | null, concertDateId: string): Promise<AsyncIterable<SeatChangedEvent>> {
    await this.activeDate(token, concertDateId);
    return this.deps.seatChanges(concertDateId);
  }

  /**
   * Authenticate, then find the date (NOT_FOUND), then demand ACTIVE for its concert; "read":
   * a recent ACTIVE answer will do (QueueGuard.requireActiveToRead).
   */
  private async activeDate(
    token: string | null,
    concertDateId: string,
    use: "read" | "watch" = "watch",
  ): Promise<ConcertDateRef> {
    const caller = await this.deps.guard.authenticate(token);
    const date = await this.deps.repository.findDate(concertDateId);
    if (!date) throw dateNotFound();
    if (use === "read") await this.deps.guard.requireActiveToRead(caller, date.concertId);
    else await this.deps.guard.requireActive(caller, date.concertId);
    return date;
  }

  private today(): Date {
    return businessToday(this.deps.clock.now(), this.deps.timeZone);
  }

  private isPast(date: ConcertDateRef): boolean {
    return date.date.getTime() < this.today().getTime();
  }
}
