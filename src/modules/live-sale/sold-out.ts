// Sold out (docs/queue.md): a concert is sold out once no seat of any of its future dates is free
// or held. Seats only become sold by a payment and a concert only gains seats by a new date, so
// the check runs after each payment and after each catalogue change of the concert: one
// statement asks whether a future seat exists and whether one is still open (each EXISTS stops
// at its first row), and the Redis flag the enter script refuses on is
// set or cleared to match. A held seat counts as not sold yet, so a hold that lapses before its
// payment leaves the concert on sale; a concert without a future seat is never sold out.
import { dayIn } from "../../platform/business-day.js";
import type { Clock } from "../../platform/clock.js";
import type { SaleFiguresStore } from "./sale-figures.store.js";
import type { SoldOutRepository } from "./sale-stats.repository.js";

export class SoldOutWatch {
  constructor(
    private readonly seats: Pick<SoldOutRepository, "futureSeats" | "dateOpen" | "markDateSoldOut">,
    private readonly flags: Pick<SaleFiguresStore, "setSoldOut">,
    private readonly clock: Clock,
    private readonly timeZone: string,
  ) {}

  /**
   * Sets the concert's soldout flag from MySQL; returns it. `concertDateId`: the date a payment
   * just sold a seat of; while that date (from today on) still has a seat not sold, the concert
   * is not sold out and nothing else is read. Only the payment that fills a date looks at the
   * other dates, and first flags its date sold out, so that the search for an open seat skips
   * it: the check does not grow with the dates sold (they are what that search walked through).
   * (`dateOpen` is false for a past date too; the flag's UPDATE looks only at the seats, so a
   * past date with a seat left is not flagged.)
   */
  async check(concertId: string, concertDateId?: string): Promise<boolean> {
    const today = dayIn(this.clock.now(), this.timeZone);
    if (concertDateId !== undefined) {
      if (await this.seats.dateOpen(concertDateId, today)) {
        await this.flags.setSoldOut(concertId, false);
        return false;
      }
      await this.seats.markDateSoldOut(concertDateId);
    }
    const seats = await this.seats.futureSeats(concertId, today);
    const soldOut = seats.any && !seats.open;
    await this.flags.setSoldOut(concertId, soldOut);
    return soldOut;
  }
}
