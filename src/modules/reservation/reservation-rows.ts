// Rows of the reservation statements and their mapping to the domain's views.
import { Prisma } from "../../platform/db/prisma.js";
import type { ReleasedSeat, ReservationView } from "./reservation.model.js";

/** A row of VIEW_TEXT: the domain view, numbers as the driver returns them. */
export type ViewRow = ReservationView;

export interface ReleasedRow {
  reservationId: string;
  concertDateId: string;
  seatNumber: number;
}

/** The live status is decided here, by the database clock: a lapsed HELD row reads EXPIRED. */
export const VIEW_TEXT = `
  SELECT r.id, r.user_id AS userId, r.seat_id AS seatId, s.number AS seatNumber,
         r.concert_date_id AS concertDateId, d.concert_id AS concertId, r.price,
         CASE WHEN r.status = 'HELD' AND r.expires_at <= NOW(3) THEN 'EXPIRED' ELSE r.status END AS status,
         r.expires_at AS expiresAt, r.created_at AS createdAt
  FROM reservations r
  JOIN seats s ON s.id = r.seat_id
  JOIN concert_dates d ON d.id = r.concert_date_id`;
export const VIEW = Prisma.raw(VIEW_TEXT);

export function toView(row: ViewRow): ReservationView {
  return { ...row, seatNumber: Number(row.seatNumber), price: Number(row.price) };
}

export function toReleased(row: ReleasedRow): ReleasedSeat {
  return { ...row, seatNumber: Number(row.seatNumber) };
}

export interface HoldRequest {
  userId: string;
  concertId: string;
  concertDateId: string;
  seatId: string;
  seatNumber: number;
  price: number;
  holdSeconds: number;
}
