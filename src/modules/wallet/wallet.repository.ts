// The only code that reads or writes wallets and ledger_entries. Every balance change is one
// conditional UPDATE whose affected-row count decides, written together with its ledger row;
// nothing is read, checked and written back in JavaScript.
import type { Sql } from "../../platform/db/sql.js";
import type { Tx } from "../../platform/db/transaction.js";

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

/** A change to make: `amount` is positive (what to add, or what to take). */
export interface WalletChange {
  /** The id of its ledger row. */
  id: string;
  userId: string;
  amount: number;
  reference: string | null;
  createdAt: Date;
}

/** What a change did: `balance` is the balance after it, or as it stands when it was refused (null: no wallet row). */
export interface ChangeOutcome {
  applied: boolean;
  balance: number | null;
}

/** What the wallet service needs from storage; the SQL class below and the unit tests' fake implement it. */
export interface WalletStore {
  /** The balance, or null when the user has no wallet row yet. */
  balanceOf(userId: string, tx?: Tx): Promise<number | null>;
  /** Creates an empty wallet unless one exists (INSERT IGNORE: idempotent under races). */
  ensureWallet(tx: Tx, userId: string, now: Date): Promise<void>;
  /**
   * Adds `amount` unless that passes `maxBalance`, with its CHARGE ledger row. When refused,
   * the transaction holds statements that must not commit: the caller rolls it back.
   */
  credit(tx: Tx, change: WalletChange, maxBalance: number): Promise<ChangeOutcome>;
  /** Takes `amount` unless that goes below zero, with its PAYMENT ledger row; false when refused (then as `credit`). */
  debit(tx: Tx, change: WalletChange): Promise<boolean>;
  findLedger(id: string): Promise<LedgerRow | null>;
}

/**
 * The ledger row of the change just made, in the same round trip: INSERT ... SELECT takes
 * `balance_after` from the wallet row, which the UPDATE before it still holds locked, so it is
 * exactly the balance that change produced.
 */
const RECORD = `INSERT INTO ledger_entries (id, user_id, kind, amount, balance_after, reference, created_at)
  SELECT ?, user_id, ?, ?, balance, ?, ? FROM wallets WHERE user_id = ?`;
const BALANCE = "SELECT balance FROM wallets WHERE user_id = ?";

export class SqlWalletStore implements WalletStore {
  constructor(private readonly sql: Sql) {}

  async balanceOf(userId: string, tx: Tx = this.sql): Promise<number | null> {
    const rows = await tx.select<{ balance: number }>(BALANCE, [userId]);
    return rows[0] ? Number(rows[0].balance) : null;
  }

  async ensureWallet(tx: Tx, userId: string, now: Date): Promise<void> {
    await tx.execute("INSERT IGNORE INTO wallets (user_id, balance, updated_at) VALUES (?, 0, ?)", [
      userId,
      now,
    ]);
  }

  /** Holds "balance <= MAX_BALANCE": the bound is part of the UPDATE's WHERE, decided under the row lock. */
  async credit(tx: Tx, change: WalletChange, maxBalance: number): Promise<ChangeOutcome> {
    const { userId, amount, createdAt } = change;
    const [applied, balance] = await Promise.all([
      this.change(
        tx,
        "UPDATE wallets SET balance = balance + ?, updated_at = ? WHERE user_id = ? AND balance + ? <= ?",
        [amount, createdAt, userId, amount, maxBalance],
        change,
        amount,
        "CHARGE",
      ),
      this.balanceOf(userId, tx),
    ]);
    return { applied, balance };
  }

  /** Holds "balance >= 0": the UPDATE only matches while the balance covers the amount. */
  debit(tx: Tx, change: WalletChange): Promise<boolean> {
    const { userId, amount, createdAt } = change;
    return this.change(
      tx,
      "UPDATE wallets SET balance = balance - ?, updated_at = ? WHERE user_id = ? AND balance >= ?",
      [amount, createdAt, userId, amount],
      change,
      -amount,
      "PAYMENT",
    );
  }

  async findLedger(id: string): Promise<LedgerRow | null> {
    const rows = await this.sql.select<LedgerRow>(
      `SELECT id, user_id AS userId, kind, amount, balance_after AS balanceAfter, reference, created_at AS createdAt
       FROM ledger_entries WHERE id = ?`,
      [id],
    );
    const row = rows[0];
    return row ? { ...row, amount: Number(row.amount), balanceAfter: Number(row.balanceAfter) } : null;
  }

  /** The UPDATE and its ledger row, sent back to back (one round trip); true when the UPDATE matched. */
  private async change(
    tx: Tx,
    update: string,
    values: unknown[],
    change: WalletChange,
    signed: number,
    kind: LedgerKind,
  ): Promise<boolean> {
    const { id, userId, reference, createdAt } = change;
    const [changed] = await Promise.all([
      tx.execute(update, values),
      tx.execute(RECORD, [id, kind, signed, reference, createdAt, userId]),
    ]);
    return changed.affectedRows === 1;
  }
}
