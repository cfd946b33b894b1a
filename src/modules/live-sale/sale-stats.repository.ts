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
  held: number | bigint;
  sold: number | bigint | string | null;
  revenue: number | bigint | string | null;
  paidLastMinute: number | bigint | string;
}

export class SaleStatsRepository {
  constructor(private readonly sql: Sql) {}

  /** null when the concert does not exist. `today` is the business day (YYYY-MM-DD). */
  async seatFigures(concertId: string, today: string): Promise<SeatFigures | null> {
    // Each part reads only what it counts, by index, so the statement costs about the seats of
    // the concert, not its history: the cancelled and lapsed holds of a busy date (tens of
    // thousands in a soak) are never read. It used to filter `live` after reading every
    // reservation of every date, twice, and to read every payment of every concert; by minute 10
    // of a soak that was 360,000 rows and 1.5 s per call, and every scrape of /metrics on every
    // instance made one (bench/README.md, "Soaks of 4 December").
    // Sold, revenue and the last minute's payments come from one pass over the concert's
    // CONFIRMED reservations and their payments: a payment exists only on a CONFIRMED
    // reservation (the payment's transaction confirms and records together, and nothing moves a
    // reservation out of CONFIRMED), and a CONFIRMED one is always live.
    const rows = await this.sql.select<Row>(
      `SELECT c.sale_opens_at AS saleOpensAt,
         (SELECT COUNT(*) FROM concert_dates d STRAIGHT_JOIN seats s ON s.concert_date_id = d.id
           WHERE d.concert_id = c.id AND d.date >= ?) AS seats,
         (SELECT COUNT(*) FROM concert_dates d
           STRAIGHT_JOIN reservations r FORCE INDEX (reservations_concert_date_id_status_idx)
             ON r.concert_date_id = d.id AND r.status = 'HELD'
           WHERE d.concert_id = c.id AND d.date >= ? AND r.live = 1 AND r.expires_at > NOW(3)) AS held,
         sold.seats AS sold, sold.revenue, sold.paidLastMinute
       FROM concerts c
       CROSS JOIN (SELECT SUM(d.date >= ? AND r.live = 1) AS seats, SUM(p.amount) AS revenue,
                          COALESCE(SUM(p.paid_at > NOW(3) - INTERVAL 60 SECOND), 0) AS paidLastMinute
                     FROM concert_dates d
                     STRAIGHT_JOIN reservations r FORCE INDEX (reservations_concert_date_id_status_idx)
                       ON r.concert_date_id = d.id AND r.status = 'CONFIRMED'
                     LEFT JOIN payments p FORCE INDEX (payments_reservation_id_key) ON p.reservation_id = r.id
                    WHERE d.concert_id = ?) sold
       WHERE c.id = ?`,
      [today, today, today, concertId, concertId],
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
    // Both searches start from the concert's dates, by a named index, in a fixed join order, and
    // the seat's sale is looked up by its unique index (an anti-join: no CONFIRMED row for the
    // seat). With the statistics of a young database, MariaDB planned the NOT EXISTS form as a
    // scan of every seat, or as a temporary table of every CONFIRMED reservation of every concert
    // (3,000 to 31,000 rows per call in the soak of 4 December, until InnoDB recalculated them).
    const future = `SELECT 1 FROM concert_dates d FORCE INDEX (concert_dates_concert_id_date_key)
                    STRAIGHT_JOIN seats s ON s.concert_date_id = d.id
                    WHERE d.concert_id = ? AND d.date >= ?`;
    const open = `SELECT 1 FROM concert_dates d FORCE INDEX (concert_dates_concert_id_sold_out_date_idx)
                  STRAIGHT_JOIN seats s ON s.concert_date_id = d.id
                  LEFT JOIN reservations r FORCE INDEX (reservations_seat_id_live_key)
                    ON r.seat_id = s.id AND r.live = 1 AND r.status = 'CONFIRMED'
                  WHERE d.concert_id = ? AND d.sold_out = FALSE AND d.date >= ? AND r.id IS NULL`;
    const rows = await this.sql.select<{ anySeat: number | bigint; openSeat: number | bigint }>(
      `SELECT EXISTS (${future}) AS anySeat, EXISTS (${open}) AS openSeat`,
      [concertId, today, concertId, today],
    );
    return { any: Number(rows[0]?.anySeat ?? 0) === 1, open: Number(rows[0]?.openSeat ?? 0) === 1 };
  }
}
