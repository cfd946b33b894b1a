// The reservation as the domain sees it. `status` is the *live* status: a HELD row whose
// expires_at has passed (by the database's clock) reads EXPIRED even before the sweeper runs.

export type ReservationStatus = "HELD" | "CONFIRMED" | "EXPIRED" | "CANCELLED";

export interface ReservationView {
  id: string;
  userId: string;
  seatId: string;
  seatNumber: number;
  concertDateId: string;
  concertId: string;
  /** KRW, copied from the seat when held. */
  price: number;
  status: ReservationStatus;
  expiresAt: Date;
  createdAt: Date;
}

/** A seat that a hold was released from (for the FREE seat-change event). */
export interface ReleasedSeat {
  reservationId: string;
  concertDateId: string;
  seatNumber: number;
}

/** What reserveSeat needs to know about the date and seat asked for. */
export interface HoldTarget {
  concertDateId: string;
  concertId: string;
  /** The show's calendar day (UTC midnight of that day). */
  date: Date;
  /** null when the date has no seat with that number. */
  seat: { id: string; price: number } | null;
}

/**
 * `released`: lapsed holds that this call took out of the unique indexes on its way (their
 * seats are FREE now), whatever the outcome.
 */
export type HoldOutcome =
  | { kind: "HELD"; reservation: ReservationView; released: ReleasedSeat[] }
  | { kind: "SEAT_UNAVAILABLE"; released: ReleasedSeat[] }
  | { kind: "ALREADY_RESERVED"; released: ReleasedSeat[] };

export type ConfirmOutcome = "CONFIRMED" | "NOT_FOUND" | "ALREADY_PAID" | "EXPIRED";
export type CancelOutcome =
  | { kind: "CANCELLED"; reservation: ReservationView }
  | { kind: "NOT_FOUND" }
  | { kind: "ALREADY_PAID" }
  | { kind: "EXPIRED" };
