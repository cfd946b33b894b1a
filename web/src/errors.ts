// Every error code of the API contract (docs/api.md, "Errors") as a message a person
// can act on. The one table: add a code here when the contract gains one.
import type { ErrorCode } from "../../src/platform/errors.js";

export type Extensions = Record<string, unknown>;

/** The server's domain codes, Apollo's own, and the page's NETWORK (the server is unreachable). */
type Code =
  | ErrorCode
  | "GRAPHQL_PARSE_FAILED"
  | "GRAPHQL_VALIDATION_FAILED"
  | "BAD_REQUEST"
  | "INTERNAL_SERVER_ERROR"
  | "NETWORK";

export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly serverMessage: string,
    readonly extensions: Extensions = {},
  ) {
    super(`${code}: ${serverMessage}`);
  }
}

const num = (ext: Extensions, key: string): number | undefined =>
  typeof ext[key] === "number" ? ext[key] : undefined;
const won = (amount: number | undefined): string =>
  amount === undefined
    ? ""
    : new Intl.NumberFormat("ko-KR", { style: "currency", currency: "KRW" }).format(amount);

// Typed by the server's closed ErrorCode union: a code added there fails `tsc -p web` until it has a message.
const MESSAGES: Record<Code, (ext: Extensions) => string> = {
  UNAUTHENTICATED: () => "We could not recognise you: check your user id and access key, or sign up again.",
  QUEUE_TOKEN_EXPIRED: () =>
    "Your turn has ended (time ran out, you paid, or you left). Enter the queue again to continue.",
  QUEUE_NOT_ADMITTED: (ext) => {
    const opensIn = num(ext, "secondsUntilOpen");
    if (opensIn !== undefined)
      return "The sale has not opened yet — you are in the pre-queue. This page moves on by itself at the opening.";
    const position = num(ext, "position");
    return `It is not your turn yet${position ? ` — you are number ${position} in line` : ""}. This page moves on by itself.`;
  },
  FORBIDDEN: () => "Your queue pass is for another concert. Pick that concert or enter this one's queue.",
  BAD_USER_INPUT: () =>
    "That value is not accepted. Check the amount (a positive whole number) or the seat and try again.",
  NOT_FOUND: () => "We could not find that concert, date or reservation. Reload the list and pick again.",
  SEAT_UNAVAILABLE: () =>
    "Someone else holds or bought that seat a moment ago. Please pick another free seat.",
  ALREADY_RESERVED: () => "You already hold or own a seat on this date. Pay for it or cancel it first.",
  RESERVATION_EXPIRED: () => "Your hold on this seat has ended, so the seat was released. Pick a seat again.",
  ALREADY_PAID: () => "This seat is already paid for. Your ticket is in your payments below.",
  INSUFFICIENT_BALANCE: (ext) => {
    const balance = num(ext, "balance");
    const price = num(ext, "price");
    const detail =
      balance !== undefined && price !== undefined ? ` (balance ${won(balance)}, price ${won(price)})` : "";
    return `Your balance is not enough for this seat${detail}. Charge your balance, then pay.`;
  },
  BALANCE_LIMIT_EXCEEDED: () =>
    "That charge would take your balance over the maximum. Charge a smaller amount.",
  SOLD_OUT: () => "This concert is sold out: every seat of every coming date is taken. Pick another concert.",
  RATE_LIMITED: (ext) => {
    const wait = num(ext, "retryAfterSeconds");
    return `Too many requests. Please wait${wait ? ` ${wait} s` : " a moment"} and try again.`;
  },
  SERVICE_UNAVAILABLE: () =>
    "The service is busy or briefly unavailable. Your place is kept; try again in a few seconds.",
  QUERY_TOO_COMPLEX: () => "The page asked for too much at once. Reload the page.",
  GRAPHQL_PARSE_FAILED: () => "The page sent a request the server did not understand. Reload the page.",
  GRAPHQL_VALIDATION_FAILED: () => "This page is out of date with the server. Reload the page.",
  BAD_REQUEST: () => "The page sent a bad request. Reload the page.",
  INTERNAL_SERVER_ERROR: () =>
    "Something went wrong on our side. Please try again; if it keeps happening, tell us.",
  NETWORK: () => "Cannot reach the server. Check your connection; we keep trying and your place is kept.",
};

const isCode = (code: string): code is Code => Object.hasOwn(MESSAGES, code);

export function humanMessage(error: unknown): string {
  if (error instanceof ApiError)
    return MESSAGES[isCode(error.code) ? error.code : "INTERNAL_SERVER_ERROR"](error.extensions);
  return MESSAGES.INTERNAL_SERVER_ERROR({});
}

export const errorCode = (error: unknown): string =>
  error instanceof ApiError ? error.code : "INTERNAL_SERVER_ERROR";
