// The queue's refusals that are not about a token (those live in queue-access.ts).
import { DomainError } from "../../platform/errors.js";

/** issueQueueToken for a concert with no free or held seat left on any future date. */
export const soldOut = () =>
  new DomainError(
    "SOLD_OUT",
    "This concert is sold out: no seat of any future date is free or held. Choose another concert.",
  );
