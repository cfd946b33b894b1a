// In-memory stand-ins for the money stores, the queue guard and the transaction runner.
// The fake runner snapshots every store and restores it when the work throws, so unit tests
// see the same all-or-nothing behaviour as a database transaction.
import type { Clock } from "../../../src/platform/clock.js";
import {
  Idempotency,
  type IdempotencyRecord,
  type IdempotencyStore,
  type IdempotentRequest,
} from "../../../src/platform/idempotency.js";
import type { SqlTransactionRunner, Tx } from "../../../src/platform/db/transaction.js";
import type {
  LedgerKind,
  LedgerRow,
  WalletChange,
  WalletStore,
} from "../../../src/modules/wallet/wallet.repository.js";

/** The transaction the fakes are handed: they keep their state in their own fields and run no SQL. */
export const fakeTx: Tx = {
  select: () => Promise.reject(new Error("the fakes run no SQL")),
  execute: () => Promise.reject(new Error("the fakes run no SQL")),
};

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
  async balanceOf(userId: string) {
    return this.balances.get(userId) ?? null;
  }
  async ensureWallet(_tx: Tx, userId: string) {
    if (!this.balances.has(userId)) this.balances.set(userId, 0);
  }
  async credit(_tx: Tx, change: WalletChange, max: number) {
    const balance = this.balances.get(change.userId) ?? null;
    if (balance === null || balance + change.amount > max) return { applied: false, balance };
    return { applied: true, balance: this.apply(change, change.amount, "CHARGE") };
  }
  async debit(_tx: Tx, change: WalletChange) {
    const balance = this.balances.get(change.userId);
    if (balance === undefined || balance < change.amount) return false;
    this.apply(change, -change.amount, "PAYMENT");
    return true;
  }
  async findLedger(id: string) {
    return this.ledger.find((r) => r.id === id) ?? null;
  }
  private apply(change: WalletChange, signed: number, kind: LedgerKind): number {
    const balanceAfter = this.balances.get(change.userId)! + signed;
    this.balances.set(change.userId, balanceAfter);
    const { id, userId, reference, createdAt } = change;
    this.ledger.push({ id, userId, kind, amount: signed, balanceAfter, reference, createdAt });
    return balanceAfter;
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
  async claim(_tx: Tx, request: IdempotentRequest, resultId: string) {
    const id = `${request.userId}/${request.keyDigest}`;
    if (this.rows.has(id)) return false;
    this.rows.set(id, { operation: request.operation, requestHash: request.requestHash, resultId });
    return true;
  }
  async find(userId: string, keyDigest: string) {
    return this.rows.get(`${userId}/${keyDigest}`) ?? null;
  }
}

/**
 * Runs transactions one at a time (as row locks would serialise them on one wallet) and, on a
 * throw, puts every store back as it was before.
 */
export function fakeTransactionRunner(...stores: Snapshotting[]): SqlTransactionRunner {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: (tx: Tx) => Promise<T>): Promise<T> => {
    const run = tail.then(async () => {
      const restores = stores.map((s) => s.snapshot());
      try {
        return await work(fakeTx);
      } catch (error) {
        for (const restore of restores) restore();
        throw error;
      }
    });
    tail = run.catch(() => undefined);
    return run;
  };
}

/** The real claim-or-replay helper over the fake key store and runner. */
export function fakeIdempotency(keys: FakeIdempotencyStore, clock: Clock, ...stores: Snapshotting[]) {
  return new Idempotency({ store: keys, transaction: fakeTransactionRunner(keys, ...stores), clock });
}

// The queue stand-in is shared by every feature behind the queue.
export { FakeQueue } from "../queue/fake-queue.js";
