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
  /**
   * Publishes SOLD for `paid` (committed CONFIRMED by the payment) and releases the payer's
   * other live holds for that concert.
   */
  afterPayment(paid: ReservationView): Promise<void>;
}

/**
 * The sold-out watch (live-sale's SoldOutWatch): whether the payment sold the concert's last
 * open seat. Only CONFIRMED seats count as sold, so its answer does not depend on the release
 * of the payer's other holds, and the two run side by side.
 */
export interface SoldOutCheck {
  check(concertId: string, concertDateId: string): Promise<unknown>;
}

/** The wallet's debit, run inside the payment's transaction (WalletService.debit). */
export interface WalletDebit {
  debit(tx: Tx, userId: string, amount: number, reference: string): Promise<void>;
}
