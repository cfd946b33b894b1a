// Balance and charges. The rules ("never above MAX_BALANCE", "never below zero", "the balance
// is the sum of the ledger", "one effect per idempotency key") are each held by one statement
// in the store; this service decides the order of those statements and the transaction.
import type { Clock } from "../../platform/clock.js";
import { newId } from "../../platform/db/ids.js";
import type { Tx } from "../../platform/db/transaction.js";
import { idempotentRequest, type Idempotency } from "../../platform/idempotency.js";
import type { QueueGuard } from "../queue/queue-guard.js";
import { walletErrors } from "./wallet.errors.js";
import type { WalletChange, WalletStore } from "./wallet.repository.js";

export interface WalletView {
  userId: string;
  balance: number;
}

export interface WalletLimits {
  maxCharge: number;
  maxBalance: number;
}

export interface WalletDeps {
  guard: Pick<QueueGuard, "authenticate">;
  wallets: WalletStore;
  idempotency: Pick<Idempotency, "run">;
  clock: Clock;
  limits: WalletLimits;
}

export const CHARGE_OPERATION = "chargeBalance";

export class WalletService {
  constructor(private readonly deps: WalletDeps) {}

  /** The caller's balance; a user without a wallet row has 0. Any valid token may ask. */
  async balance(token: string | null): Promise<WalletView> {
    const { userId } = await this.deps.guard.authenticate(token);
    return { userId, balance: (await this.deps.wallets.balanceOf(userId)) ?? 0 };
  }

  /**
   * Adds `amount` to the caller's balance (any valid token, even WAITING or EXPIRED). One
   * transaction: the idempotency key row, the conditional UPDATE, the ledger row. A repeat
   * of a key returns the wallet as it was right after the first charge and changes nothing.
   */
  async charge(token: string | null, amount: number, idempotencyKey?: string | null): Promise<WalletView> {
    const { userId } = await this.deps.guard.authenticate(token);
    this.checkAmount(amount);
    const request = idempotentRequest(userId, idempotencyKey, CHARGE_OPERATION, { amount });
    const ledgerId = newId(this.deps.clock.now().getTime());
    const once = await this.deps.idempotency.run(request, ledgerId, (tx) =>
      this.credit(tx, { id: ledgerId, userId, amount, reference: null, createdAt: this.deps.clock.now() }),
    );
    if (once.kind === "replay") return this.chargeResult(once.resultId);
    return { userId, balance: once.value };
  }

  /**
   * Takes `amount` from the user's balance inside the caller's transaction and writes the
   * PAYMENT ledger row (negative amount, `reference` = the payment id). INSUFFICIENT_BALANCE
   * (with `balance` and `price`) when the conditional UPDATE matched no row; the caller's
   * transaction must then roll back. The wallet row stays locked from here until the commit,
   * and every other payment or charge of this user waits: send it with the last statements.
   */
  async debit(tx: Tx, userId: string, amount: number, reference: string): Promise<void> {
    const now = this.deps.clock.now();
    const change = { id: newId(now.getTime()), userId, amount, reference, createdAt: now };
    if (await this.deps.wallets.debit(tx, change)) return;
    throw walletErrors.insufficientBalance((await this.deps.wallets.balanceOf(userId, tx)) ?? 0, amount);
  }

  private checkAmount(amount: number): void {
    const { maxCharge } = this.deps.limits;
    if (!Number.isSafeInteger(amount) || amount <= 0 || amount > maxCharge) {
      throw walletErrors.badAmount(maxCharge);
    }
  }

  /** Holds "balance <= MAX_BALANCE" with the store's conditional UPDATE; the balance after. */
  private async credit(tx: Tx, change: WalletChange): Promise<number> {
    const { wallets, limits } = this.deps;
    let outcome = await wallets.credit(tx, change, limits.maxBalance);
    if (outcome.balance === null) {
      // Only for a user whose wallet row is missing: the hot path never takes INSERT IGNORE's
      // shared lock, which could deadlock against a concurrent charge's UPDATE.
      await wallets.ensureWallet(tx, change.userId, change.createdAt);
      outcome = await wallets.credit(tx, change, limits.maxBalance);
      if (outcome.balance === null) throw walletErrors.noAccount();
    }
    if (!outcome.applied) throw walletErrors.balanceLimit(outcome.balance, limits.maxBalance);
    return outcome.balance;
  }

  private async chargeResult(ledgerId: string): Promise<WalletView> {
    const entry = await this.deps.wallets.findLedger(ledgerId);
    if (!entry) throw new Error(`idempotency key points at missing ledger entry ${ledgerId}`);
    return { userId: entry.userId, balance: entry.balanceAfter };
  }
}
