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
  insertLedger(db: Db, row: LedgerRow): Promise<void>;
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

  async insertLedger(db: Db, row: LedgerRow): Promise<void> {
    await db.ledgerEntry.create({ data: row });
  }

  async findLedger(db: Db, id: string): Promise<LedgerRow | null> {
    return db.ledgerEntry.findUnique({ where: { id } });
  }
}
