// The reservation feature's statements. Every decision that concurrency could break is taken
// by MariaDB: the unique indexes `reservations_seat_id_live_key` (one live reservation
// per seat) and `reservations_user_id_concert_date_id_live_key` (one live seat per user per
// date), and conditional UPDATEs whose affected-row count says who won. Expiry is always judged
// against the database's NOW(3), so every instance agrees on when a hold lapsed.
import type { Db } from "../../platform/db/prisma.js";
import { violatedUniqueIndex } from "../../platform/db/db-errors.js";
import { newId } from "../../platform/db/ids.js";
import type { Sql } from "../../platform/db/sql.js";
import type { Tx } from "../../platform/db/transaction.js";
import type { Clock } from "../../platform/clock.js";
import type { CatalogueChangedEvent } from "../../platform/redis/topics.js";
import type {
  CancelOutcome,
  ConfirmOutcome,
  HoldOutcome,
  HoldTarget,
  ReleasedSeat,
  ReservationView,
} from "./reservation.model.js";
import {
  toReleased,
  toView,
  VIEW,
  VIEW_TEXT,
  type HoldRequest,
  type ReleasedRow,
  type ViewRow,
} from "./reservation-rows.js";
import { HoldTargets, type DateSeats } from "./hold-targets.js";

const SEAT_LIVE_INDEX = "reservations_seat_id_live_key";
const USER_DATE_LIVE_INDEX = "reservations_user_id_concert_date_id_live_key";

export interface ReservationRepositoryDeps {
  /** Prisma, for the statements off the hot path and for a caller's transaction. */
  prisma: Db;
  /**
   * The hold's and the cancel's statements (INSERT, read back, retiring a lapsed hold) run on
   * the driver directly: they are the whole of a sale-day seat burst (db/sql.ts).
   */
  sql: Sql;
  clock: Clock;
}

export class ReservationRepository {
  private readonly prisma: Db;
  private readonly sql: Sql;
  private readonly targets: HoldTargets;

  constructor(deps: ReservationRepositoryDeps) {
    this.prisma = deps.prisma;
    this.sql = deps.sql;
    this.targets = new HoldTargets(deps.clock);
  }

  /**
   * The date and, when it exists, the seat with that number. One statement loads the date with
   * all its seats, and the answer is reused (hold-targets.ts): on sale day every `reserveSeat`
   * of a date needs the same 50 rows, and nothing decided here depends on them being fresher
   * (the hold itself is decided by the INSERT).
   */
  async findHoldTarget(concertDateId: string, seatNumber: number): Promise<HoldTarget | null> {
    const target = await this.targets.get(concertDateId, () => this.loadDateSeats(concertDateId));
    if (!target) return null;
    const { concertId, date, seats } = target;
    return { concertDateId, concertId, date, seat: seats.get(seatNumber) ?? null };
  }

  /** Drops the named date, or every cached date of the concert (CATALOGUE_CHANGED). */
  forget(event: CatalogueChangedEvent): void {
    this.targets.forget(event);
  }

  private async loadDateSeats(concertDateId: string): Promise<DateSeats | null> {
    const rows = await this.prisma.$queryRaw<
      { concertId: string; date: Date; number: number | null; seatId: string | null; price: number | null }[]
    >`
      SELECT d.concert_id AS concertId, d.date, s.number, s.id AS seatId, s.price
      FROM concert_dates d
      LEFT JOIN seats s ON s.concert_date_id = d.id
      WHERE d.id = ${concertDateId}`;
    const first = rows[0];
    if (!first) return null;
    const seats = new Map<number, { id: string; price: number }>();
    for (const row of rows) {
      if (row.seatId !== null) seats.set(Number(row.number), { id: row.seatId, price: Number(row.price) });
    }
    return { concertId: first.concertId, date: first.date, seats };
  }

  /**
   * Holds a seat. The INSERT of the HELD row with live=1 is the decision, on its own
   * (autocommit): of any number of concurrent holds on one seat, `reservations_seat_id_live_key`
   * lets exactly one in; a second seat for the same user and date is refused by
   * `reservations_user_id_concert_date_id_live_key`. When an index refuses, the row in the way
   * may be a hold that has lapsed but is still marked live (the sweeper has not reached it):
   * such rows are retired by conditional UPDATEs (expireIfLapsed) and the INSERT is tried once
   * more. Retiring a lapsed hold is right whatever happens next, so nothing needs to be undone
   * and no transaction is held open: a hold is one round trip (the INSERT and the read of the
   * new row's database times, pipelined), a refusal two (and the look for lapsed rows).
   */
  async hold(request: HoldRequest): Promise<HoldOutcome> {
    const { userId, concertDateId, seatId, price, holdSeconds } = request;
    const released: ReleasedSeat[] = [];
    for (let attempt = 1; ; attempt++) {
      const id = newId();
      // The INSERT and the read of the new row's database times, pipelined on one connection:
      // one round trip. When the INSERT is refused the read finds nothing and is ignored.
      const [inserted, readBack] = await this.sql.pipeline([
        [
          `INSERT INTO reservations
             (id, user_id, seat_id, concert_date_id, status, live, price, expires_at, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'HELD', 1, ?, NOW(3) + INTERVAL ? SECOND, NOW(3), NOW(3))`,
          [id, userId, seatId, concertDateId, price, holdSeconds],
        ],
        ["SELECT expires_at AS expiresAt, created_at AS createdAt FROM reservations WHERE id = ?", [id]],
      ]);
      if (inserted!.status === "rejected") {
        const index = violatedUniqueIndex(inserted!.reason);
        if (index !== SEAT_LIVE_INDEX && index !== USER_DATE_LIVE_INDEX) throw inserted!.reason;
        const retired = attempt === 1 ? await this.retireLapsedInTheWay(request) : [];
        released.push(...retired);
        if (retired.length > 0) continue;
        return { kind: index === SEAT_LIVE_INDEX ? "SEAT_UNAVAILABLE" : "ALREADY_RESERVED", released };
      }
      if (readBack!.status === "rejected") throw readBack!.reason;
      const [row] = readBack!.value as { expiresAt: Date; createdAt: Date }[];
      if (!row) throw new Error(`reservation ${id} vanished right after its INSERT`);
      const reservation: ReservationView = {
        id,
        userId,
        seatId,
        seatNumber: request.seatNumber,
        concertDateId,
        concertId: request.concertId,
        price,
        status: "HELD",
        expiresAt: row.expiresAt,
        createdAt: row.createdAt,
      };
      return { kind: "HELD", reservation, released };
    }
  }

  /** Retires the lapsed holds that occupy this seat's or this user's date's unique index. */
  private async retireLapsedInTheWay(request: HoldRequest): Promise<ReleasedSeat[]> {
    const { userId, concertDateId, seatId } = request;
    const candidates = await this.sql.select<ReleasedRow>(
      `SELECT r.id AS reservationId, r.concert_date_id AS concertDateId, s.number AS seatNumber
       FROM reservations r JOIN seats s ON s.id = r.seat_id
       WHERE r.live = 1 AND r.status = 'HELD' AND r.expires_at <= NOW(3)
         AND (r.seat_id = ? OR (r.user_id = ? AND r.concert_date_id = ?))`,
      [seatId, userId, concertDateId],
    );
    const released: ReleasedSeat[] = [];
    for (const c of candidates) {
      if (await this.expireIfLapsed(c.reservationId)) released.push(toReleased(c));
    }
    return released;
  }

  /**
   * Marks one lapsed hold EXPIRED and takes it out of the unique indexes (live=NULL). The
   * WHERE re-checks the lapse against NOW(3), so it is idempotent and safe on every instance
   * at once: only one statement can move a row, the others see 0 rows. Never touches a
   * CONFIRMED row.
   */
  async expireIfLapsed(reservationId: string): Promise<boolean> {
    const { affectedRows } = await this.sql.execute(
      `UPDATE reservations SET status = 'EXPIRED', live = NULL, updated_at = NOW(3)
       WHERE id = ? AND live = 1 AND status = 'HELD' AND expires_at <= NOW(3)`,
      [reservationId],
    );
    return affectedRows === 1;
  }

  /** Lapsed holds still marked HELD, oldest first (the sweeper's candidates). */
  async findLapsed(limit: number): Promise<ReleasedSeat[]> {
    const rows = await this.sql.select<ReleasedRow>(
      `SELECT r.id AS reservationId, r.concert_date_id AS concertDateId, s.number AS seatNumber
       FROM reservations r JOIN seats s ON s.id = r.seat_id
       WHERE r.status = 'HELD' AND r.expires_at <= NOW(3) AND r.live = 1
       ORDER BY r.expires_at
       LIMIT ?`,
      [limit],
    );
    return rows.map(toReleased);
  }

  /**
   * Pays for a hold: one conditional UPDATE (HELD, this user, not lapsed by NOW(3)) decides;
   * of two concurrent payments only one sees an affected row, the other waits on the row lock
   * and then matches nothing. `live` stays 1: the seat is sold. When nothing changed, a read
   * explains why. `tx`: the payment's transaction (ReservationPort, db/transaction.ts).
   */
  async confirmHeld(tx: Tx, reservationId: string, userId: string): Promise<ConfirmOutcome> {
    const { affectedRows } = await tx.execute(
      `UPDATE reservations SET status = 'CONFIRMED', updated_at = NOW(3)
       WHERE id = ? AND user_id = ? AND status = 'HELD' AND live = 1 AND expires_at > NOW(3)`,
      [reservationId, userId],
    );
    if (affectedRows === 1) return "CONFIRMED";
    const [row] = await tx.select<{ status: string }>(
      "SELECT status FROM reservations WHERE id = ? AND user_id = ?",
      [reservationId, userId],
    );
    if (!row) return "NOT_FOUND";
    return row.status === "CONFIRMED" ? "ALREADY_PAID" : "EXPIRED";
  }

  /** Gives a HELD, unlapsed seat back: one conditional UPDATE decides (see confirmHeld). */
  async cancelHeld(reservationId: string, userId: string): Promise<CancelOutcome> {
    // The UPDATE and the read of the row after it, pipelined on one connection: one round trip.
    const [updated, read] = await this.sql.pipeline([
      [
        `UPDATE reservations SET status = 'CANCELLED', live = NULL, updated_at = NOW(3)
         WHERE id = ? AND user_id = ? AND status = 'HELD' AND live = 1 AND expires_at > NOW(3)`,
        [reservationId, userId],
      ],
      [`${VIEW_TEXT} WHERE r.id = ? AND r.user_id = ?`, [reservationId, userId]],
    ]);
    if (updated!.status === "rejected") throw updated!.reason;
    if (read!.status === "rejected") throw read!.reason;
    const affectedRows = Number((updated!.value as { affectedRows: number }).affectedRows);
    const [row] = read!.value as ViewRow[];
    if (!row) return { kind: "NOT_FOUND" };
    const current = toView(row);
    if (affectedRows === 1) return { kind: "CANCELLED", reservation: current };
    if (current.status === "CONFIRMED") return { kind: "ALREADY_PAID" };
    return { kind: "EXPIRED" };
  }

  /**
   * After a payment: takes the user's other HELD reservations of that concert out of the
   * unique indexes (live=NULL), each by a conditional UPDATE so that only rows this call moved
   * are reported. Unlapsed ones become CANCELLED (released by the payment), lapsed ones EXPIRED.
   */
  async releaseOtherHolds(
    userId: string,
    concertId: string,
    keepReservationId: string,
  ): Promise<ReleasedSeat[]> {
    const candidates = await this.sql.select<ReleasedRow>(
      `SELECT r.id AS reservationId, r.concert_date_id AS concertDateId, s.number AS seatNumber
       FROM reservations r
       JOIN seats s ON s.id = r.seat_id
       JOIN concert_dates d ON d.id = r.concert_date_id
       WHERE r.user_id = ? AND d.concert_id = ? AND r.status = 'HELD' AND r.live = 1 AND r.id <> ?`,
      [userId, concertId, keepReservationId],
    );
    const released: ReleasedSeat[] = [];
    for (const c of candidates) {
      const { affectedRows } = await this.sql.execute(
        `UPDATE reservations
         SET status = IF(expires_at <= NOW(3), 'EXPIRED', 'CANCELLED'), live = NULL, updated_at = NOW(3)
         WHERE id = ? AND user_id = ? AND status = 'HELD' AND live = 1`,
        [c.reservationId, userId],
      );
      if (affectedRows === 1) released.push(toReleased(c));
    }
    return released;
  }

  /**
   * The reservation when it belongs to `userId`; another user's is as unknown as a missing one.
   * `db`: the payment's transaction, or the repository's own client when omitted.
   */
  async findOwned(reservationId: string, userId: string): Promise<ReservationView | null> {
    const [row] = await this.sql.select<ViewRow>(`${VIEW_TEXT} WHERE r.id = ? AND r.user_id = ?`, [
      reservationId,
      userId,
    ]);
    return row ? toView(row) : null;
  }

  /** The user's reservations across concerts, newest first (index user_id, created_at). */
  async listForUser(userId: string, limit: number): Promise<ReservationView[]> {
    const rows = await this.prisma.$queryRaw<ViewRow[]>`
      ${VIEW} WHERE r.user_id = ${userId} ORDER BY r.created_at DESC, r.id DESC LIMIT ${limit}`;
    return rows.map(toView);
  }
}
