// What paying needs from the reservation and wallet features, declared here so that the
// payment service depends on the smallest surface (and unit tests hand it fakes).
import type { Tx } from "../../platform/db/transaction.js";
import type { ReservationView } from "../reservation/reservation.model.js";

export type { ReservationStatus, ReservationView } from "../reservation/reservation.model.js";

export type ConfirmOutcome = "CONFIRMED" | "NOT_FOUND" | "ALREADY_PAID" | "EXPIRED";

export interface ReservationPort {
  /** The caller's own reservation (someone else's reads as null). */
  findOwned(reservationId: string, userId: string): Promise<ReservationView | null>;
  /**
   * HELD and not lapsed → CONFIRMED (seat sold), decided by one conditional UPDATE that
   * locks the reservation row until the payment's transaction ends.
   */
  confirmHeld(tx: Tx, reservationId: string, userId: string): Promise<ConfirmOutcome>;
}

export interface ReservationAfterPayment {
  /** Publishes SOLD and releases the user's other live holds for that concert. */
  afterPayment(
    userId: string,
    concertId: string,
    paidReservationId: string,
    concertDateId: string,
  ): Promise<void>;
}

/** The wallet's debit, run inside the payment's transaction (WalletService.debit). */
export interface WalletDebit {
  debit(tx: Tx, userId: string, amount: number, reference: string): Promise<void>;
}
