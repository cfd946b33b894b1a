// The operator's refusals when steering a sale (one file per feature's failures).
import { badInput, DomainError } from "../../platform/errors.js";

export const MAX_ACTIVE_LIMIT = 1_000_000;
export const ADMIT_PER_TICK_LIMIT = 100_000;

export const unknownConcert = (concertId: string) =>
  new DomainError("NOT_FOUND", `Concert ${concertId} was not found; list concerts with the concerts query.`);

export const maxActiveOutOfRange = () =>
  badInput(`maxActive must be a whole number from 0 to ${MAX_ACTIVE_LIMIT.toLocaleString("en")}.`);

export const admitPerTickOutOfRange = () =>
  badInput(`admitPerTick must be a whole number from 1 to ${ADMIT_PER_TICK_LIMIT.toLocaleString("en")}.`);
