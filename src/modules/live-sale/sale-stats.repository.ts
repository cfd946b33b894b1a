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

/** Seats of future dates, and how many of them are not sold (free or held): sold out at 0 of >0. */
export interface OpenSeats {
  seats: number;
  open: number;
}

export class SoldOutRepository {
  constructor(private readonly sql: Sql) {}

  /** One statement over the concert's dates on or after `today` (50 seats a date). */
  async openSeats(concertId: string, today: string): Promise<OpenSeats> {
    const rows = await this.sql.select<{ seats: number | bigint; open: number | bigint | null }>(
      `SELECT COUNT(*) AS seats,
         SUM(NOT EXISTS (SELECT 1 FROM reservations r
               WHERE r.seat_id = s.id AND r.live = 1 AND r.status = 'CONFIRMED')) AS open
       FROM seats s JOIN concert_dates d ON d.id = s.concert_date_id
       WHERE d.concert_id = ? AND d.date >= ?`,
      [concertId, today],
    );
    return { seats: Number(rows[0]?.seats ?? 0), open: Number(rows[0]?.open ?? 0) };
  }
}
