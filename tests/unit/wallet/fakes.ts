// In-memory stand-ins for the money stores, the queue guard and the transaction runner.
// The fake runner snapshots every store and restores it when the work throws, so unit tests
// see the same all-or-nothing behaviour as a database transaction.
import type { Db } from "../../../src/platform/db/prisma.js";
import type {
  IdempotencyRecord,
  IdempotencyStore,
  IdempotentRequest,
} from "../../../src/modules/wallet/idempotency.js";
import type { TransactionRunner } from "../../../src/platform/db/transaction.js";
import type {
  LedgerEntryInput,
  LedgerRow,
  WalletStore,
} from "../../../src/modules/wallet/wallet.repository.js";

/** Nothing reads it: the fakes keep their state in their own fields. */
export const fakeDb = {} as unknown as Db;

export interface Snapshotting {
  snapshot(): () => void;
}

export class FakeWalletStore implements WalletStore, Snapshotting {
  balances = new Map<string, number>();
  ledger: LedgerRow[] = [];

  snapshot() {
    const balances = new Map(this.balances);
    const ledger = [...this.ledger];
    return () => {
      this.balances = balances;
      this.ledger = ledger;
    };
  }
  async balanceOf(_db: Db, userId: string) {
    return this.balances.get(userId) ?? null;
  }
  async ensureWallet(_db: Db, userId: string) {
    if (!this.balances.has(userId)) this.balances.set(userId, 0);
  }
  async tryCredit(_db: Db, userId: string, amount: number, max: number) {
    const balance = this.balances.get(userId);
    if (balance === undefined || balance + amount > max) return false;
    this.balances.set(userId, balance + amount);
    return true;
  }
  async tryDebit(_db: Db, userId: string, amount: number) {
    const balance = this.balances.get(userId);
    if (balance === undefined || balance < amount) return false;
    this.balances.set(userId, balance - amount);
    return true;
  }
  async recordChange(_db: Db, entry: LedgerEntryInput) {
    const balanceAfter = this.balances.get(entry.userId);
    if (balanceAfter === undefined) throw new Error(`no wallet for ${entry.userId}`);
    this.ledger.push({ ...entry, balanceAfter });
  }
  async findLedger(_db: Db, id: string) {
    return this.ledger.find((r) => r.id === id) ?? null;
  }
  ledgerSum(userId: string) {
    return this.ledger.filter((r) => r.userId === userId).reduce((sum, r) => sum + r.amount, 0);
  }
}

export class FakeIdempotencyStore implements IdempotencyStore, Snapshotting {
  rows = new Map<string, IdempotencyRecord>();

  snapshot() {
    const rows = new Map(this.rows);
    return () => {
      this.rows = rows;
    };
  }
  async claim(_db: Db, request: IdempotentRequest, resultId: string) {
    const id = `${request.userId}/${request.keyDigest}`;
    if (this.rows.has(id)) return false;
    this.rows.set(id, { operation: request.operation, requestHash: request.requestHash, resultId });
    return true;
  }
  async find(_db: Db, userId: string, keyDigest: string) {
    return this.rows.get(`${userId}/${keyDigest}`) ?? null;
  }
}

/**
 * Runs transactions one at a time (as row locks would serialise them on one wallet) and, on a
 * throw, puts every store back as it was before.
 */
export function fakeTransactionRunner(...stores: Snapshotting[]): TransactionRunner {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: (tx: Db) => Promise<T>): Promise<T> => {
    const run = tail.then(async () => {
      const restores = stores.map((s) => s.snapshot());
      try {
        return await work(fakeDb);
      } catch (error) {
        for (const restore of restores) restore();
        throw error;
      }
    });
    tail = run.catch(() => undefined);
    return run;
  };
}

// The queue stand-in is shared by every feature behind the queue.
export { FakeQueue } from "../queue/fake-queue.js";
