/** The closed set of error codes of the public contract (docs/api.md, "Errors"). */
export type ErrorCode =
  | "UNAUTHENTICATED"
  | "QUEUE_TOKEN_EXPIRED"
  | "QUEUE_NOT_ADMITTED"
  | "FORBIDDEN"
  | "BAD_USER_INPUT"
  | "NOT_FOUND"
  | "SEAT_UNAVAILABLE"
  | "ALREADY_RESERVED"
  | "RESERVATION_EXPIRED"
  | "ALREADY_PAID"
  | "INSUFFICIENT_BALANCE"
  | "BALANCE_LIMIT_EXCEEDED"
  | "RATE_LIMITED"
  | "SOLD_OUT"
  | "SERVICE_UNAVAILABLE"
  | "QUERY_TOO_COMPLEX";

/** Numeric details some codes carry (docs/api.md, "Details clients rely on": error extensions are numbers). */
export type ErrorDetails = Record<string, number>;

/** V8's (Node's, Chrome's) Error has a stackTraceLimit; elsewhere setting it does nothing. */
const V8Error = Error as ErrorConstructor & { stackTraceLimit?: number };

/** Makes an error (or anything) with stack capture off: for answers, which no one debugs by their stack. */
export function withoutStackTrace<T>(make: () => T): T {
  const stackTraceLimit = V8Error.stackTraceLimit;
  V8Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    V8Error.stackTraceLimit = stackTraceLimit;
  }
}

/**
 * The one error type of the domain: a code from the contract and a message saying what to do next.
 * It is an answer to the caller, not a fault, so it carries no stack trace: nothing logs one, and
 * capturing and formatting a stack for each of a seat race's 1,950 refusals was about 7% of the
 * server's time (the stack of a DomainError is just its name and message).
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    const stackTraceLimit = V8Error.stackTraceLimit;
    V8Error.stackTraceLimit = 0;
    super(message);
    V8Error.stackTraceLimit = stackTraceLimit;
    this.name = "DomainError";
  }
}

export const badInput = (message: string) => new DomainError("BAD_USER_INPUT", message);
export const notFound = (what: string) => new DomainError("NOT_FOUND", `${what} was not found.`);
