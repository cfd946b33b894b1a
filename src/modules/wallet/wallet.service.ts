// Balance and charges. The rules ("never above MAX_BALANCE", "never below zero", "the balance
// is the sum of the ledger", "one effect per idempotency key") are each held by one statement
// in the store; this service decides the order of those statements and the transaction.
import type { Clock } from "../../platform/clock.js";
import type { Db } from "../../platform/db/prisma.js";
import { DomainError, badInput, notFound } from "../../platform/errors.js";
import type { QueueGuard } from "../queue/queue-guard.js";
import { newId } from "../../platform/db/ids.js";
import { idempotentRequest, priorResult, type IdempotencyStore } from "./idempotency.js";
import type { TransactionRunner } from "../../platform/db/transaction.js";
import type { WalletStore } from "./wallet.repository.js";

export interface WalletView {
  userId: string;
  balance: number;
}

export interface WalletLimits {
  maxCharge: number;
  maxBalance: number;
}

export const CHARGE_OPERATION = "chargeBalance";

export class WalletService {
  constructor(
    private readonly guard: Pick<QueueGuard, "authenticate">,
    private readonly wallets: WalletStore,
    private readonly idempotency: IdempotencyStore,
    private readonly transaction: TransactionRunner,
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly limits: WalletLimits,
  ) {}

  /** The caller's balance; a user without a wallet row has 0. Any valid token may ask. */
  async balance(token: string | null): Promise<WalletView> {
    const { userId } = await this.guard.authenticate(token);
    return { userId, balance: (await this.wallets.balanceOf(this.db, userId)) ?? 0 };
  }

  /**
   * Adds `amount` to the caller's balance (any valid token, even WAITING or EXPIRED). One
   * transaction: the idempotency key row, the conditional UPDATE, the ledger row. A repeat
   * of a key returns the wallet as it was right after the first charge and changes nothing.
   */
  async charge(token: string | null, amount: number, idempotencyKey?: string | null): Promise<WalletView> {
    const { userId } = await this.guard.authenticate(token);
    this.checkAmount(amount);
    const request = idempotentRequest(userId, idempotencyKey, CHARGE_OPERATION, { amount });
    if (request) {
      const prior = await priorResult(this.idempotency, this.db, request);
      if (prior) return this.chargeResult(this.db, prior);
    }
    const ledgerId = newId(this.clock.now().getTime());
    return this.transaction(async (tx) => {
      const now = this.clock.now();
      if (request && !(await this.idempotency.claim(tx, request, ledgerId, now))) {
        // A concurrent request with this key committed first: its result is the answer.
        const prior = await priorResult(this.idempotency, tx, request);
        if (!prior) throw new Error("idempotency key taken but not readable");
        return this.chargeResult(tx, prior);
      }
      await this.credit(tx, userId, amount, now);
      await this.wallets.recordChange(tx, {
        id: ledgerId,
        userId,
        kind: "CHARGE",
        amount,
        reference: null,
        createdAt: now,
      });
      // Still in the transaction (the row is ours until COMMIT): a read after the commit would
      // queue for a pooled connection again behind every other charge of a burst.
      return { userId, balance: (await this.wallets.balanceOf(tx, userId)) ?? 0 };
    });
  }

  /**
   * Takes `amount` from the user's balance inside the caller's transaction and writes the
   * PAYMENT ledger row (negative amount, `reference` = the payment id). INSUFFICIENT_BALANCE
   * (with `balance` and `price`) when the conditional UPDATE matched no row; the caller's
   * transaction must then roll back. Call it last in the transaction: the wallet row stays
   * locked from here until the commit, and every other payment or charge of this user waits.
   */
  async debit(tx: Db, userId: string, amount: number, reference: string): Promise<void> {
    const now = this.clock.now();
    if (!(await this.wallets.tryDebit(tx, userId, amount, now))) {
      const balance = (await this.wallets.balanceOf(tx, userId)) ?? 0;
      throw new DomainError(
        "INSUFFICIENT_BALANCE",
        `Your balance of ${balance} KRW does not cover the price of ${amount} KRW; charge at least ${amount - balance} KRW with chargeBalance and pay again.`,
        { balance, price: amount },
      );
    }
    await this.wallets.recordChange(tx, {
      id: newId(now.getTime()),
      userId,
      kind: "PAYMENT",
      amount: -amount,
      reference,
      createdAt: now,
    });
  }

  private checkAmount(amount: number): void {
    if (!Number.isSafeInteger(amount) || amount <= 0 || amount > this.limits.maxCharge) {
      throw badInput(`amount must be a whole number of KRW from 1 to ${this.limits.maxCharge}.`);
    }
  }

  /** Holds "balance <= MAX_BALANCE" with tryCredit's conditional UPDATE. */
  private async credit(tx: Db, userId: string, amount: number, now: Date): Promise<void> {
    const { maxBalance } = this.limits;
    if (await this.wallets.tryCredit(tx, userId, amount, maxBalance, now)) return;
    let balance = await this.wallets.balanceOf(tx, userId);
    if (balance === null) {
      // Only for a user whose wallet row is missing: the hot path never takes INSERT IGNORE's
      // shared lock, which could deadlock against a concurrent charge's UPDATE.
      await this.wallets.ensureWallet(tx, userId, now);
      if (await this.wallets.tryCredit(tx, userId, amount, maxBalance, now)) return;
      balance = await this.wallets.balanceOf(tx, userId);
      if (balance === null) throw notFound("Your account");
    }
    throw new DomainError(
      "BALANCE_LIMIT_EXCEEDED",
      `A balance may not exceed ${maxBalance} KRW; you can charge at most ${Math.max(0, maxBalance - balance)} KRW now.`,
      { balance, maxBalance },
    );
  }

  private async chargeResult(db: Db, ledgerId: string): Promise<WalletView> {
    const entry = await this.wallets.findLedger(db, ledgerId);
    if (!entry) throw new Error(`idempotency key points at missing ledger entry ${ledgerId}`);
    return { userId: entry.userId, balance: entry.balanceAfter };
  }
}
