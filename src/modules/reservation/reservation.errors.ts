// Every refusal of the reservation feature, with the message that says what to do instead.
import { DomainError } from "../../platform/errors.js";

export { dateNotFound } from "../concert/concert.errors.js";

export const seatOutOfRange = (seatsPerDate: number) =>
  new DomainError("BAD_USER_INPUT", `Seat numbers run from 1 to ${seatsPerDate}; pick one of those.`);

export const dateInPast = () =>
  new DomainError("BAD_USER_INPUT", "This date is in the past. Pick a date from availableDates.");

export const seatNotFound = (seatNumber: number) =>
  new DomainError("NOT_FOUND", `Seat ${seatNumber} does not exist on this date.`);

export const seatUnavailable = () =>
  new DomainError(
    "SEAT_UNAVAILABLE",
    "This seat is held by someone else or sold. Pick another seat from availableSeats.",
  );

export const alreadyReserved = () =>
  new DomainError(
    "ALREADY_RESERVED",
    "You already hold or own a seat on this date (one per user and date; see myReservations). Cancel your hold first to pick another seat.",
  );

export const reservationNotFound = () =>
  new DomainError("NOT_FOUND", "No reservation of yours has this id. See myReservations.");

export const alreadyPaid = () =>
  new DomainError("ALREADY_PAID", "This reservation is paid; the seat is yours and cannot be given back.");

export const holdOver = () =>
  new DomainError(
    "RESERVATION_EXPIRED",
    "This hold already ran out, was cancelled or was released; the seat is no longer yours.",
  );
