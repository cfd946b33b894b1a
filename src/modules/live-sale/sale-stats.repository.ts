// The seat and money side of saleStats, counted in MySQL with one statement. A seat counts
// against its date when it has a live reservation that still counts (CONFIRMED, or HELD with
// expires_at after the database's NOW(3), as concert.repository.ts reads availability), so a
// hold that lapsed is free again at once, sweeper or not.
import type { Sql } from "../../platform/db/sql.js";

export interface SeatFigures {
  saleOpensAt: Date | null;
  /** Seats of the concert's dates on or after `today`. */
  seats: number;
  held: number;
  sold: number;
  /** KRW, every payment for the concert (all dates). */
  revenue: number;
  paidLastMinute: number;
}

interface Row {
  saleOpensAt: Date | null;
  seats: number | bigint;
  held: number | bigint | null;
  sold: number | bigint | null;
  revenue: number | bigint | string | null;
  paidLastMinute: number | bigint;
}

export class SaleStatsRepository {
  constructor(private readonly sql: Sql) {}

  /** null when the concert does not exist. `today` is the business day (YYYY-MM-DD). */
  async seatFigures(concertId: string, today: string): Promise<SeatFigures | null> {
    // At most one live reservation per seat (reservations_seat_id_live_key): the join never fans out.
    const rows = await this.sql.select<Row>(
      `SELECT c.sale_opens_at AS saleOpensAt,
         (SELECT COUNT(*) FROM seats s JOIN concert_dates d ON d.id = s.concert_date_id
           WHERE d.concert_id = c.id AND d.date >= ?) AS seats,
         (SELECT SUM(r.status = 'HELD' AND r.expires_at > NOW(3)) FROM reservations r
           JOIN concert_dates d ON d.id = r.concert_date_id
           WHERE d.concert_id = c.id AND d.date >= ? AND r.live = 1) AS held,
         (SELECT SUM(r.status = 'CONFIRMED') FROM reservations r
           JOIN concert_dates d ON d.id = r.concert_date_id
           WHERE d.concert_id = c.id AND d.date >= ? AND r.live = 1) AS sold,
         (SELECT SUM(p.amount) FROM payments p JOIN reservations r ON r.id = p.reservation_id
           JOIN concert_dates d ON d.id = r.concert_date_id WHERE d.concert_id = c.id) AS revenue,
         (SELECT COUNT(*) FROM payments p JOIN reservations r ON r.id = p.reservation_id
           JOIN concert_dates d ON d.id = r.concert_date_id
           WHERE d.concert_id = c.id AND p.paid_at > NOW(3) - INTERVAL 60 SECOND) AS paidLastMinute
       FROM concerts c WHERE c.id = ?`,
      [today, today, today, concertId],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      saleOpensAt: r.saleOpensAt,
      seats: Number(r.seats),
      held: Number(r.held ?? 0),
      sold: Number(r.sold ?? 0),
      revenue: Number(r.revenue ?? 0),
      paidLastMinute: Number(r.paidLastMinute),
    };
  }
}

/** Whether the concert has a seat on a date on or after today, and whether one of those is not sold (free or held). */
export interface FutureSeats {
  any: boolean;
  open: boolean;
}

/** True for a seat `s` that nobody has bought (free or held); uses reservations_seat_id_live_key. */
const SEAT_NOT_SOLD = `NOT EXISTS (SELECT 1 FROM reservations r
  WHERE r.seat_id = s.id AND r.live = 1 AND r.status = 'CONFIRMED')`;

export class SoldOutRepository {
  constructor(private readonly sql: Sql) {}

  /** Whether the date is on or after `today` and has a seat not sold (free or held): 50 lookups at most. */
  async dateOpen(concertDateId: string, today: string): Promise<boolean> {
    const rows = await this.sql.select<{ open: number | bigint }>(
      `SELECT EXISTS (SELECT 1 FROM seats s JOIN concert_dates d ON d.id = s.concert_date_id
                      WHERE d.id = ? AND d.date >= ? AND ${SEAT_NOT_SOLD}) AS open`,
      [concertDateId, today],
    );
    return Number(rows[0]?.open ?? 0) === 1;
  }

  /**
   * Flags the date sold out (`concert_dates.sold_out`) when none of its seats is left; the
   * UPDATE's own condition decides, so a date with a seat free or held is never flagged. A
   * date's seats are fixed and a sale is final, so the flag stays true. Returns whether this
   * statement set it.
   */
  async markDateSoldOut(concertDateId: string): Promise<boolean> {
    const { affectedRows } = await this.sql.execute(
      `UPDATE concert_dates d SET d.sold_out = TRUE
       WHERE d.id = ? AND d.sold_out = FALSE
         AND NOT EXISTS (SELECT 1 FROM seats s WHERE s.concert_date_id = d.id AND ${SEAT_NOT_SOLD})`,
      [concertDateId],
    );
    return affectedRows === 1;
  }

  /**
   * One statement of two EXISTS over the concert's dates on or after `today`. Each stops at the
   * first row it finds instead of counting every seat of the concert (a stadium's tens of
   * thousands; that count after every payment is what kept MariaDB busy in the soak once a
   * concert had 700 dates). The search for an open seat skips the dates flagged sold out (at
   * most one index entry each; index `concert_id, sold_out, date`). It used to walk every seat
   * of every sold date before the first open one, a walk that grew with the sale until it was
   * what slowed the soak (p99 46 ms at minute 2, 1.3 s at minute 9). A full date not flagged
   * yet is only walked through, never miscounted.
   */
  async futureSeats(concertId: string, today: string): Promise<FutureSeats> {
    const future = `SELECT 1 FROM seats s JOIN concert_dates d ON d.id = s.concert_date_id
                    WHERE d.concert_id = ? AND d.date >= ?`;
    const rows = await this.sql.select<{ anySeat: number | bigint; openSeat: number | bigint }>(
      `SELECT EXISTS (${future}) AS anySeat,
              EXISTS (${future} AND d.sold_out = FALSE AND ${SEAT_NOT_SOLD}) AS openSeat`,
      [concertId, today, concertId, today],
    );
    return { any: Number(rows[0]?.anySeat ?? 0) === 1, open: Number(rows[0]?.openSeat ?? 0) === 1 };
  }
}
