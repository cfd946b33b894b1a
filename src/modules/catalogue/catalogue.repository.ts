// The catalogue's writes: concerts, dates with their seats, a sale's opening and the draw's
// commitment. Every method takes the transaction it runs on (the audit row shares it).
// Races are decided by MySQL: a date twice by concert_dates_concert_id_date_key, a move of an
// opening that has happened by the conditional UPDATE of moveOpening.
import { isUniqueViolation } from "../../platform/db/db-errors.js";
import { newId } from "../../platform/db/ids.js";
import type { Db } from "../../platform/db/prisma.js";
import type {
  ConcertView,
  CreatedConcertDate,
  DrawCommitment,
  NewConcert,
  NewConcertDate,
  SaleState,
} from "./catalogue.model.js";
import { SEATS_PER_DATE } from "./catalogue.model.js";

const CONCERT_FIELDS = { id: true, title: true, artist: true, venue: true, saleOpensAt: true } as const;
export const DATE_UNIQUE_INDEX = "concert_dates_concert_id_date_key";

export class CatalogueRepository {
  constructor(private readonly db: Db) {}

  /** Every concert, on sale or not, in creation order. */
  listConcerts(): Promise<ConcertView[]> {
    return this.db.concert.findMany({
      select: CONCERT_FIELDS,
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
    });
  }

  findConcert(tx: Db, concertId: string): Promise<ConcertView | null> {
    return tx.concert.findUnique({ where: { id: concertId }, select: CONCERT_FIELDS });
  }

  createConcert(tx: Db, concert: NewConcert): Promise<ConcertView> {
    return tx.concert.create({ data: { id: newId(), ...concert }, select: CONCERT_FIELDS });
  }

  /** The draw's commitment of a newly scheduled sale; an existing one is kept (its seed never changes). */
  async ensureDraw(tx: Db, concertId: string, draw: DrawCommitment): Promise<void> {
    await tx.$executeRaw`
      INSERT INTO sale_draws (concert_id, seed, commitment, created_at)
      VALUES (${concertId}, ${draw.seed}, ${draw.commitment}, NOW(3))
      ON DUPLICATE KEY UPDATE concert_id = concert_id`;
  }

  /**
   * Adds the date and its 50 seats. False when the concert already has that date: the unique
   * index decides, so of two racing calls exactly one adds it.
   */
  async addDate(tx: Db, date: NewConcertDate): Promise<CreatedConcertDate | null> {
    const id = newId();
    try {
      await tx.concertDate.create({
        data: { id, concertId: date.concertId, date: date.date, startsAt: date.startsAt },
      });
    } catch (error) {
      if (isUniqueViolation(error, DATE_UNIQUE_INDEX)) return null;
      throw error;
    }
    await tx.seat.createMany({
      data: date.prices.map((price, i) => ({ id: newId(), concertDateId: id, number: i + 1, price })),
    });
    return {
      id,
      concertId: date.concertId,
      date: date.date,
      startsAt: date.startsAt,
      availableSeatCount: SEATS_PER_DATE,
    };
  }

  /**
   * Sets the opening to `opensAt` only while the sale has not opened: its current opening is
   * still ahead of the database's NOW(3) and no draw has run. One conditional UPDATE, so two
   * operators racing (or a move racing the opening) cannot move a sale that opened; the row
   * lock it takes orders them. Returns whether the row matched.
   */
  async moveOpening(tx: Db, concertId: string, opensAt: Date): Promise<boolean> {
    const matched = await tx.$executeRaw`
      UPDATE concerts c SET c.sale_opens_at = ${opensAt}
      WHERE c.id = ${concertId} AND c.sale_opens_at > NOW(3)
        AND NOT EXISTS (SELECT 1 FROM sale_draws d WHERE d.concert_id = c.id AND d.drawn_at IS NOT NULL)`;
    return matched > 0;
  }

  /** Where a concert's sale stands (null: no such concert). */
  async saleState(tx: Db, concertId: string): Promise<SaleState | null> {
    const concert = await tx.concert.findUnique({
      where: { id: concertId },
      select: { saleOpensAt: true, draw: { select: { drawnAt: true } } },
    });
    if (!concert) return null;
    return { saleOpensAt: concert.saleOpensAt, drawnAt: concert.draw?.drawnAt ?? null };
  }
}
