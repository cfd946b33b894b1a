// The reservation statements of a payment, on the payment's own transaction (ReservationPort).
// They run on the driver's connection of that transaction, which the reservation repository
// does not take yet; the statement is the same conditional UPDATE as its confirmHeld.
import type { Sql } from "../../platform/db/sql.js";
import type { Tx } from "../../platform/db/transaction.js";
import type { ConfirmOutcome, ReservationPort, ReservationView } from "./payment.ports.js";

const OWNED = `SELECT r.id, r.user_id AS userId, r.seat_id AS seatId, s.number AS seatNumber,
    r.concert_date_id AS concertDateId, d.concert_id AS concertId, r.price,
    CASE WHEN r.status = 'HELD' AND r.expires_at <= NOW(3) THEN 'EXPIRED' ELSE r.status END AS status,
    r.expires_at AS expiresAt, r.created_at AS createdAt
  FROM reservations r JOIN seats s ON s.id = r.seat_id JOIN concert_dates d ON d.id = r.concert_date_id
  WHERE r.id = ? AND r.user_id = ?`;

export class SqlPaymentReservations implements ReservationPort {
  constructor(private readonly sql: Sql) {}

  async findOwned(reservationId: string, userId: string): Promise<ReservationView | null> {
    const [row] = await this.sql.select<ReservationView>(OWNED, [reservationId, userId]);
    return row ? { ...row, seatNumber: Number(row.seatNumber), price: Number(row.price) } : null;
  }

  /**
   * Of two concurrent payments only one sees an affected row; the other waits on the row lock
   * and then matches nothing. `live` stays 1: the seat is sold. When nothing changed, a read
   * explains why.
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
}
