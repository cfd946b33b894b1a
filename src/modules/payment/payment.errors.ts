// Every way a payment is refused, with the message that says what to do next.
import { DomainError } from "../../platform/errors.js";
import type { ConfirmOutcome } from "./payment.ports.js";

export const paymentErrors = {
  notFound: () =>
    new DomainError("NOT_FOUND", "Reservation was not found; list your holds with myReservations."),
  alreadyPaid: () =>
    new DomainError("ALREADY_PAID", "This reservation is already paid; see it in myPayments."),
  expired: () =>
    new DomainError(
      "RESERVATION_EXPIRED",
      "This hold ran out, was cancelled or was released; reserve a seat again with reserveSeat.",
    ),
};

/** Why a reservation could not be confirmed, as the client's error. */
export const notPayable: Record<Exclude<ConfirmOutcome, "CONFIRMED">, () => DomainError> = {
  NOT_FOUND: paymentErrors.notFound,
  ALREADY_PAID: paymentErrors.alreadyPaid,
  EXPIRED: paymentErrors.expired,
};
