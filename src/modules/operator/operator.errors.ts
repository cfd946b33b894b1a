// Failures of the Operator API's authentication and audit log, each with the message that says
// what to do next. Never quotes a secret.
import { DomainError } from "../../platform/errors.js";

export const noOperatorKeys = () =>
  new DomainError(
    "UNAUTHENTICATED",
    "The Operator API is off: no operator keys are configured (set OPERATOR_KEYS on the server).",
  );

export const operatorKeyMissing = () =>
  new DomainError(
    "UNAUTHENTICATED",
    "Send an operator key as `Authorization: Bearer <secret>` (over WebSocket: connectionParams.authorization).",
  );

export const operatorKeyWrong = () =>
  new DomainError(
    "UNAUTHENTICATED",
    "This operator key is not valid here (queue tokens are not operator keys). Check OPERATOR_KEYS.",
  );

export const tooManyFailures = (retryAfterSeconds: number) =>
  new DomainError(
    "RATE_LIMITED",
    `Too many failed operator sign-ins from this address; wait ${retryAfterSeconds} second(s) and retry with a valid key.`,
    { retryAfterSeconds },
  );

export const badActionLimit = (max: number) =>
  new DomainError("BAD_USER_INPUT", `limit must be between 1 and ${max}.`);
