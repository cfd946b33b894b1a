// The only code that reads or writes wallets and ledger_entries. Every balance change is one
// conditional UPDATE whose affected-row count decides; nothing is read, checked and written
// back in JavaScript.
import type { Db } from "../../platform/db/prisma.js";

export type LedgerKind = "CHARGE" | "PAYMENT";

export interface LedgerRow {
  id: string;
  userId: string;
  kind: LedgerKind;
  /** Signed: positive for a charge, negative for a payment. */
  amount: number;
  balanceAfter: number;
  reference: string | null;
  createdAt: Date;
}

export type LedgerEntryInput = Omit<LedgerRow, "balanceAfter">;

/** What the wallet service needs from storage; the Prisma class below and the unit tests' fake implement it. */
export interface WalletStore {
  /** The balance, or null when the user has no wallet row yet. */
  balanceOf(db: Db, userId: string): Promise<number | null>;
  /** Creates an empty wallet unless one exists (INSERT IGNORE: idempotent under races). */
  ensureWallet(db: Db, userId: string, now: Date): Promise<void>;
  /** Adds `amount` unless that passes `maxBalance`; true when the row changed. */
  tryCredit(db: Db, userId: string, amount: number, maxBalance: number, now: Date): Promise<boolean>;
  /** Subtracts `amount` unless that goes below zero; true when the row changed. */
  tryDebit(db: Db, userId: string, amount: number, now: Date): Promise<boolean>;
  /**
   * Writes the ledger row of a change just made to the user's wallet in this transaction,
   * taking `balance_after` from the wallet row itself (still locked by the change).
   */
  recordChange(db: Db, entry: LedgerEntryInput): Promise<void>;
  findLedger(db: Db, id: string): Promise<LedgerRow | null>;
}

export class PrismaWalletStore implements WalletStore {
  async balanceOf(db: Db, userId: string): Promise<number | null> {
    const rows = await db.$queryRaw<{ balance: number }[]>`
      SELECT balance FROM wallets WHERE user_id = ${userId}`;
    return rows[0] ? Number(rows[0].balance) : null;
  }

  async ensureWallet(db: Db, userId: string, now: Date): Promise<void> {
    await db.$executeRaw`
      INSERT IGNORE INTO wallets (user_id, balance, updated_at) VALUES (${userId}, 0, ${now})`;
  }

  /** Holds "balance <= MAX_BALANCE": the bound is part of the UPDATE's WHERE, decided under the row lock. */
  async tryCredit(db: Db, userId: string, amount: number, maxBalance: number, now: Date): Promise<boolean> {
    const changed = await db.$executeRaw`
      UPDATE wallets SET balance = balance + ${amount}, updated_at = ${now}
      WHERE user_id = ${userId} AND balance + ${amount} <= ${maxBalance}`;
    return changed === 1;
  }

  /** Holds "balance >= 0": the UPDATE only matches while the balance covers the amount. */
  async tryDebit(db: Db, userId: string, amount: number, now: Date): Promise<boolean> {
    const changed = await db.$executeRaw`
      UPDATE wallets SET balance = balance - ${amount}, updated_at = ${now}
      WHERE user_id = ${userId} AND balance >= ${amount}`;
    return changed === 1;
  }

  /**
   * One INSERT ... SELECT: the wallet row is locked by our UPDATE, so its balance is the one
   * this change produced. One round trip less while the lock is held than SELECT + INSERT,
   * and a lock held shorter is what bounds throughput on one hot wallet.
   */
  async recordChange(db: Db, entry: LedgerEntryInput): Promise<void> {
    const { id, userId, kind, amount, reference, createdAt } = entry;
    const inserted = await db.$executeRaw`
      INSERT INTO ledger_entries (id, user_id, kind, amount, balance_after, reference, created_at)
      SELECT ${id}, user_id, ${kind}, ${amount}, balance, ${reference}, ${createdAt}
      FROM wallets WHERE user_id = ${userId}`;
    if (inserted !== 1) throw new Error(`no wallet row for ${userId} to record a ledger entry against`);
  }

  async findLedger(db: Db, id: string): Promise<LedgerRow | null> {
    return db.ledgerEntry.findUnique({ where: { id } });
  }
}
