// The queue's refusals, each a named constructor with its code and what to do next (one place
// per message). A PREQUEUED ticket's refusal is the sale's (sale.errors.ts, saleNotOpen), and
// an unknown concert reads the same as everywhere else (sale.errors.ts, concertNotFound).
import { DomainError } from "../../platform/errors.js";

/** A missing, forged, malformed or too old queue token; `why` says which. */
export const unauthenticated = (why: string) =>
  new DomainError(
    "UNAUTHENTICATED",
    `${why} Enter the queue with issueQueueToken(userId, accessKey, concertId) and send the token it returns as "Authorization: Bearer <token>".`,
  );

/** A seat or payment call for another concert than the token's. */
export const otherConcert = () =>
  new DomainError(
    "FORBIDDEN",
    "This queue token is for another concert. Enter that concert's queue with issueQueueToken and use its token.",
  );

/** A seat or payment call while the ticket still waits in line. */
export const stillWaiting = (position: number) =>
  new DomainError(
    "QUEUE_NOT_ADMITTED",
    `You are still waiting in the queue (position ${position}). Follow queueUpdates or poll queueStatus until you are ACTIVE.`,
    { position },
  );

/** A seat or payment call with a ticket that ended. */
export const tokenExpired = () =>
  new DomainError(
    "QUEUE_TOKEN_EXPIRED",
    "This queue token has expired (its active time ran out, it was used for a payment, or it left the queue). Call issueQueueToken again to re-enter the queue.",
  );

/** issueQueueToken for a concert with no free or held seat left on any future date. */
export const soldOut = () =>
  new DomainError(
    "SOLD_OUT",
    "This concert is sold out: no seat of any future date is free or held. Choose another concert.",
  );
