// The catalogue as operators change it: concerts, their dates and prices, and when a sale
// opens. Every change is audited in its own transaction (AuditTrail) and, once committed,
// announced on CATALOGUE_CHANGED so every instance drops what it cached of that concert.
import { businessToday, dayIn, zonedHour } from "../../platform/business-day.js";
import type { Clock } from "../../platform/clock.js";
import type { CatalogueChangedEvent } from "../../platform/redis/topics.js";
import type { AuditTrail } from "../operator/audit.js";
import type { Operator } from "../operator/operator-auth.js";
import type { ConcertView, CreatedConcertDate, NewConcert, SeatPriceRange } from "./catalogue.model.js";
import { SEATS_PER_DATE } from "./catalogue.model.js";
import type { CatalogueRepository } from "./catalogue.repository.js";
import { newDrawCommitment } from "./draw-commitment.js";
import * as errors from "./catalogue.errors.js";

export const MAX_TEXT = 200;
/** Doors open at 19:00 in TZ_BUSINESS on the date, unless said otherwise. */
export const DOORS_HOUR = 19;

export interface CatalogueServiceDeps {
  repository: Pick<
    CatalogueRepository,
    "listConcerts" | "findConcert" | "createConcert" | "ensureDraw" | "addDate" | "moveOpening" | "saleState"
  >;
  audit: Pick<AuditTrail, "run">;
  /** Publishes CATALOGUE_CHANGED (after the commit). */
  changed: (event: CatalogueChangedEvent) => void;
  clock: Clock;
  timeZone: string;
  maxPrice: number;
}

export interface ConcertInput {
  title: string;
  artist: string;
  venue: string;
  saleOpensAt?: Date | null;
}

export class CatalogueService {
  constructor(private readonly deps: CatalogueServiceDeps) {}

  concerts(): Promise<ConcertView[]> {
    return this.deps.repository.listConcerts();
  }

  /** A concert, on sale now or (saleOpensAt) scheduled, with its draw's commitment fixed. */
  async createConcert(operator: Operator, input: ConcertInput): Promise<ConcertView> {
    const concert: NewConcert = {
      title: text("title", input.title),
      artist: text("artist", input.artist),
      venue: text("venue", input.venue),
      saleOpensAt: input.saleOpensAt ?? null,
    };
    if (concert.saleOpensAt) this.requireFuture("saleOpensAt", concert.saleOpensAt);
    const { repository } = this.deps;
    const created = await this.deps.audit.run(
      { operator, action: "createConcert", args: { input: concert } },
      async (tx) => {
        const row = await repository.createConcert(tx, concert);
        if (row.saleOpensAt) await repository.ensureDraw(tx, row.id, newDrawCommitment());
        return { result: row, concertId: row.id };
      },
    );
    this.deps.changed({ concertId: created.id });
    return created;
  }

  /** A date of the concert with its 50 seats priced by range. */
  async addConcertDate(
    operator: Operator,
    concertId: string,
    date: Date,
    prices: readonly SeatPriceRange[],
  ): Promise<CreatedConcertDate> {
    const today = businessToday(this.deps.clock.now(), this.deps.timeZone);
    if (date.getTime() < today.getTime())
      throw errors.dateInPast(dayIn(this.deps.clock.now(), this.deps.timeZone));
    const seatPrices = this.seatPrices(prices);
    const { repository } = this.deps;
    const added = await this.deps.audit.run(
      {
        operator,
        action: "addConcertDate",
        args: { concertId, date: date.toISOString().slice(0, 10), prices },
      },
      async (tx) => {
        if (!(await repository.findConcert(tx, concertId))) throw errors.concertNotFound();
        const startsAt = zonedHour(date, DOORS_HOUR, this.deps.timeZone);
        const row = await repository.addDate(tx, { concertId, date, startsAt, prices: seatPrices });
        if (!row) throw errors.dateTaken();
        return { result: row, concertId };
      },
    );
    this.deps.changed({ concertId, concertDateId: added.id });
    return added;
  }

  /**
   * Sets or moves the opening of a sale that has not opened yet. Whether it has is decided by
   * the conditional UPDATE of moveOpening (one statement); the draw's seed is fixed on first
   * scheduling and kept by every move.
   */
  async scheduleSale(operator: Operator, concertId: string, opensAt: Date): Promise<ConcertView> {
    this.requireFuture("opensAt", opensAt);
    const { repository } = this.deps;
    const concert = await this.deps.audit.run(
      { operator, action: "scheduleSale", args: { concertId, opensAt } },
      async (tx) => {
        if (!(await repository.moveOpening(tx, concertId, opensAt))) {
          const state = await repository.saleState(tx, concertId);
          if (!state) throw errors.concertNotFound();
          throw errors.saleAlreadyOpen();
        }
        await repository.ensureDraw(tx, concertId, newDrawCommitment());
        const row = await repository.findConcert(tx, concertId);
        if (!row) throw errors.concertNotFound();
        return { result: row, concertId };
      },
    );
    this.deps.changed({ concertId });
    return concert;
  }

  private requireFuture(field: string, at: Date): void {
    if (at.getTime() <= this.deps.clock.now().getTime()) throw errors.openingNotInFuture(field);
  }

  /** Price of seat n at index n-1, from ranges that must cover 1..50 exactly once. */
  private seatPrices(ranges: readonly SeatPriceRange[]): number[] {
    const prices: (number | undefined)[] = new Array<number | undefined>(SEATS_PER_DATE).fill(undefined);
    for (const { fromSeat, toSeat, price } of ranges) {
      if (
        !Number.isInteger(fromSeat) ||
        !Number.isInteger(toSeat) ||
        fromSeat < 1 ||
        toSeat > SEATS_PER_DATE
      ) {
        throw errors.priceRangeInvalid(`${fromSeat}..${toSeat} is outside 1..${SEATS_PER_DATE}`);
      }
      if (fromSeat > toSeat) throw errors.priceRangeInvalid(`${fromSeat}..${toSeat} runs backwards`);
      if (!Number.isInteger(price) || price < 1 || price > this.deps.maxPrice) {
        throw errors.priceOutOfRange(this.deps.maxPrice);
      }
      for (let seat = fromSeat; seat <= toSeat; seat++) {
        if (prices[seat - 1] !== undefined) throw errors.priceRangeInvalid(`seat ${seat} is priced twice`);
        prices[seat - 1] = price;
      }
    }
    const missing = prices.findIndex((p) => p === undefined);
    if (missing >= 0) throw errors.priceRangeInvalid(`seat ${missing + 1} has no price`);
    return prices as number[];
  }
}

/** Trimmed, 1..MAX_TEXT characters (code points, as VARCHAR(200) counts them). */
function text(field: string, value: string): string {
  const trimmed = value.trim();
  const length = [...trimmed].length;
  if (length < 1 || length > MAX_TEXT) throw errors.badText(field, MAX_TEXT);
  return trimmed;
}
