// Read side of concerts, dates and seats. A seat is free when it has no live reservation that
// still counts: CONFIRMED, or HELD with expires_at after the database's NOW(3). So a lapsed
// hold frees its seat the moment it lapses, whether or not the sweeper has run. Each listing
// is one statement, whatever the number of dates or seats.
import { Prisma, type Db } from "../../platform/db/prisma.js";
import type {
  AvailableDateView,
  ConcertDateRef,
  ConcertView,
  SeatStateView,
  SeatView,
} from "./concert.model.js";
import type { SeatRow } from "./seat-cells.js";

/** True for a seat `s` that nobody holds (unlapsed) or owns; uses reservations_seat_id_live_key. */
const SEAT_IS_FREE = Prisma.sql`NOT EXISTS (
  SELECT 1 FROM reservations r
  WHERE r.seat_id = s.id AND r.live = 1 AND (r.status = 'CONFIRMED' OR r.expires_at > NOW(3)))`;

/** A seat `s` with its live reservation `r` and the database's NOW(3), as a seat map loads it. */
const LIVE_SEAT_COLUMNS = Prisma.sql`s.concert_date_id AS dateId, s.id, s.number, s.price,
  r.id AS reservationId, r.status, r.expires_at AS expiresAt, NOW(3) AS dbNow`;

export class ConcertRepository {
  constructor(private readonly db: Db) {}

  async listConcerts(): Promise<ConcertView[]> {
    return this.db.$queryRaw<ConcertView[]>`
      SELECT id, title, artist, venue, sale_opens_at AS saleOpensAt FROM concerts ORDER BY created_at, id`;
  }

  async concertExists(concertId: string): Promise<boolean> {
    const rows = await this.db.$queryRaw<{ id: string }[]>`SELECT id FROM concerts WHERE id = ${concertId}`;
    return rows.length > 0;
  }

  async findDate(concertDateId: string): Promise<ConcertDateRef | null> {
    const rows = await this.db.$queryRaw<ConcertDateRef[]>`
      SELECT id, concert_id AS concertId, date FROM concert_dates WHERE id = ${concertDateId}`;
    return rows[0] ?? null;
  }

  /** Dates of a concert on or after `from` with at least one free seat, by date: one GROUP BY. */
  async availableDates(concertId: string, from: Date): Promise<AvailableDateView[]> {
    const rows = await this.db.$queryRaw<
      (Omit<AvailableDateView, "availableSeatCount"> & { free: bigint })[]
    >`
      SELECT d.id, d.concert_id AS concertId, d.date, d.starts_at AS startsAt, COUNT(*) AS free
      FROM concert_dates d
      JOIN seats s ON s.concert_date_id = d.id
      WHERE d.concert_id = ${concertId} AND d.date >= ${from.toISOString().slice(0, 10)} AND ${SEAT_IS_FREE}
      GROUP BY d.id, d.concert_id, d.date, d.starts_at
      ORDER BY d.date`;
    return rows.map(({ free, ...d }) => ({ ...d, availableSeatCount: Number(free) }));
  }

  /** Free seats of a date, by number. */
  async availableSeats(concertDateId: string): Promise<SeatView[]> {
    const rows = await this.db.$queryRaw<SeatView[]>`
      SELECT s.number, s.price FROM seats s
      WHERE s.concert_date_id = ${concertDateId} AND ${SEAT_IS_FREE}
      ORDER BY s.number`;
    return rows.map((r) => ({ number: Number(r.number), price: Number(r.price) }));
  }

  /** Every seat of a date with its state (never who holds it). */
  async seatMap(concertDateId: string): Promise<SeatStateView[]> {
    // At most one live row per seat (reservations_seat_id_live_key), so the join never fans out.
    const rows = await this.db.$queryRaw<SeatStateView[]>`
      SELECT s.number, s.price,
             CASE WHEN r.status = 'CONFIRMED' THEN 'SOLD'
                  WHEN r.status = 'HELD' AND r.expires_at > NOW(3) THEN 'HELD'
                  ELSE 'FREE' END AS status
      FROM seats s
      LEFT JOIN reservations r ON r.seat_id = s.id AND r.live = 1
      WHERE s.concert_date_id = ${concertDateId}
      ORDER BY s.number`;
    return rows.map((r) => ({ number: Number(r.number), price: Number(r.price), status: r.status }));
  }

  /** The concert's dates with their doors, by date (a seat map's load, seat-board.ts). */
  async datesOf(concertId: string): Promise<(ConcertDateRef & { startsAt: Date })[]> {
    return this.db.$queryRaw<(ConcertDateRef & { startsAt: Date })[]>`
      SELECT id, concert_id AS concertId, date, starts_at AS startsAt
      FROM concert_dates WHERE concert_id = ${concertId} ORDER BY date`;
  }

  /** Every seat of these dates with its live reservation, and the database's NOW(3). */
  async liveSeatsOfDates(dateIds: string[]): Promise<SeatRow[]> {
    if (dateIds.length === 0) return [];
    return this.db.$queryRaw<SeatRow[]>`
      SELECT ${LIVE_SEAT_COLUMNS}
      FROM seats s
      LEFT JOIN reservations r ON r.seat_id = s.id AND r.live = 1
      WHERE s.concert_date_id IN (${Prisma.join(dateIds)})
      ORDER BY s.concert_date_id, s.number`;
  }

  /** Every seat of the concert with its live reservation, and the database's NOW(3). */
  async liveSeatsOf(concertId: string): Promise<SeatRow[]> {
    return this.db.$queryRaw<SeatRow[]>`
      SELECT ${LIVE_SEAT_COLUMNS}
      FROM concert_dates d
      JOIN seats s ON s.concert_date_id = d.id
      LEFT JOIN reservations r ON r.seat_id = s.id AND r.live = 1
      WHERE d.concert_id = ${concertId}
      ORDER BY s.concert_date_id, s.number`;
  }
}
