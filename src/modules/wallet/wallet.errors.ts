// Every way the wallet refuses, with the message that says what to do next.
import { DomainError, badInput, notFound } from "../../platform/errors.js";

export const walletErrors = {
  badAmount: (maxCharge: number) => badInput(`amount must be a whole number of KRW from 1 to ${maxCharge}.`),
  balanceLimit: (balance: number, maxBalance: number) =>
    new DomainError(
      "BALANCE_LIMIT_EXCEEDED",
      `A balance may not exceed ${maxBalance} KRW; you can charge at most ${Math.max(0, maxBalance - balance)} KRW now.`,
      { balance, maxBalance },
    ),
  insufficientBalance: (balance: number, price: number) =>
    new DomainError(
      "INSUFFICIENT_BALANCE",
      `Your balance of ${balance} KRW does not cover the price of ${price} KRW; charge at least ${price - balance} KRW with chargeBalance and pay again.`,
      { balance, price },
    ),
  noAccount: () => notFound("Your account"),
};
