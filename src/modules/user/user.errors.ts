// Every way sign-up and the access-key check refuse, with the message that says what to do next.
import { DomainError, badInput } from "../../platform/errors.js";

export const userErrors = {
  badName: (maxLength: number) => badInput(`name must be 1 to ${maxLength} characters, or left out.`),
  /** The same answer for an unknown user and a wrong key, so neither can be probed. */
  wrongAccessKey: () =>
    new DomainError(
      "UNAUTHENTICATED",
      "Unknown user id or wrong access key. Use the userId and accessKey that signUp returned, or sign up again.",
    ),
};
