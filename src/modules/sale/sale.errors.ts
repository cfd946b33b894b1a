// The errors of scheduled sales and the pre-queue draw (named constructors, one place).
import { DomainError, notFound } from "../../platform/errors.js";

/** A PREQUEUED token asked for seats or payment before the draw. */
export const saleNotOpen = (secondsUntilOpen: number) =>
  new DomainError(
    "QUEUE_NOT_ADMITTED",
    secondsUntilOpen > 0
      ? `The sale opens in ${secondsUntilOpen} s; you are in the pre-queue and will be drawn into the line at the opening. Follow queueUpdates or poll queueStatus.`
      : "The sale is opening: the pre-queue is being drawn into the line. Follow queueUpdates or poll queueStatus.",
    { secondsUntilOpen },
  );

export const concertNotFound = (concertId: string) => notFound(`Concert ${concertId}`);
