// Every refusal of a catalogue change, with the message that says what to do instead.
import { DomainError } from "../../platform/errors.js";

const bad = (message: string) => new DomainError("BAD_USER_INPUT", message);

export const badText = (field: string, max: number) =>
  bad(`${field} must be 1 to ${max} characters (leading and trailing spaces are not counted).`);

export const openingNotInFuture = (field: string) =>
  bad(`${field} must be in the future; to sell at once, create the concert without saleOpensAt.`);

export const saleAlreadyOpen = () =>
  bad(
    "The sale of this concert has already opened (or was never scheduled), so its opening cannot be moved.",
  );

export const dateInPast = (today: string) =>
  bad(`The date must be today (${today}) or later in the business time zone.`);

export const dateTaken = () =>
  bad("This concert already has that date; pick another day (each day once per concert).");

export const priceRangeInvalid = (detail: string) =>
  bad(`prices must cover seats 1..50 exactly once with ranges fromSeat <= toSeat: ${detail}.`);

export const priceOutOfRange = (max: number) => bad(`Each price must be an integer from 1 to ${max} KRW.`);

export const concertNotFound = () =>
  new DomainError("NOT_FOUND", "This concert was not found. Pick one from concerts (Operator API).");
