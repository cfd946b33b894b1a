// Every refusal of the concert feature, with the message that says what to do instead. The
// reservation feature refuses an unknown date with the same error (reservation.errors.ts).
import { DomainError } from "../../platform/errors.js";

export const concertNotFound = () =>
  new DomainError("NOT_FOUND", "This concert was not found. Pick one from concerts.");

export const dateNotFound = () =>
  new DomainError("NOT_FOUND", "This concert date was not found. Pick one from availableDates.");
