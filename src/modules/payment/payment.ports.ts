// What paying needs from the reservation feature, declared here so that the payment service
// depends on the smallest surface (and unit tests hand it fakes). The reservation module's
// ReservationRepository and ReservationService satisfy these structurally.
import type { Db } from "../../platform/db/prisma.js";
import type { ReservationView } from "../reservation/reservation.model.js";

export type { ReservationStatus, ReservationView } from "../reservation/reservation.model.js";

export type ConfirmOutcome = "CONFIRMED" | "NOT_FOUND" | "ALREADY_PAID" | "EXPIRED";

export interface ReservationPort {
  /** The caller's own reservation (someone else's reads as null). */
  findOwned(db: Db, reservationId: string, userId: string): Promise<ReservationView | null>;
  /**
   * HELD and not lapsed → CONFIRMED (seat sold), decided by one conditional UPDATE that
   * locks the reservation row until the caller's transaction ends.
   */
  confirmHeld(db: Db, reservationId: string, userId: string): Promise<ConfirmOutcome>;
}

export interface ReservationAfterPayment {
  /** Publishes SOLD and releases the user's other live holds for that concert. */
  afterPayment(userId: string, concertId: string, paidReservationId: string): Promise<void>;
}

/** The wallet's debit, run inside the payment's transaction. */
export interface WalletDebit {
  debit(tx: Db, userId: string, amount: number, reference: string): Promise<void>;
}
