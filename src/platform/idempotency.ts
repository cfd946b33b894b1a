// Stripe-style idempotency keys, scoped to the user, for every operation that moves money
// (chargeBalance, payReservation). The key row is inserted FIRST inside the transaction that
// makes the effect, so the primary key (user_id, key) is what lets exactly one request
// through: a concurrent duplicate blocks on the key until the first commits and then fails
// with a duplicate-key error (or proceeds, if the first rolled back).
import { createHash } from "node:crypto";
import type { Clock } from "./clock.js";
import { isUniqueViolation } from "./db/db-errors.js";
import type { Sql } from "./db/sql.js";
import { sqlTransactionRunner, type SqlTransactionRunner, type Tx } from "./db/transaction.js";
import { badInput } from "./errors.js";

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export interface IdempotencyRecord {
  operation: string;
  requestHash: string;
  resultId: string | null;
}

/** Every way a key is refused, with the message that says what to do next. */
export const idempotencyErrors = {
  badKey: () =>
    badInput(
      `idempotencyKey must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters; send a fresh random key (a UUID) per intended operation.`,
    ),
  usedElsewhere: () =>
    badInput(
      "This idempotencyKey was already used for a different request; use a new key for a new operation.",
    ),
};

/** One use of a key: who, which operation, and a digest of its arguments. */
export interface IdempotentRequest {
  userId: string;
  /** SHA-256 of the client's key: the column's collation is case- and trailing-space-insensitive, a hex digest is neither. */
  keyDigest: string;
  operation: string;
  requestHash: string;
}

export interface IdempotencyStore {
  /** Inserts the key with its result id; false when the key is already taken (after the holder committed). */
  claim(tx: Tx, request: IdempotentRequest, resultId: string, now: Date): Promise<boolean>;
  find(userId: string, keyDigest: string): Promise<IdempotencyRecord | null>;
}

/** What `Idempotency.run` gives back: the effect's value, or the id of the first result of this key. */
export type Once<T> = { kind: "done"; value: T } | { kind: "replay"; resultId: string };

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** Canonical JSON: keys sorted, so the same arguments always give the same digest. */
function canonical(value: Record<string, string | number>): string {
  return JSON.stringify(Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b))));
}

/** Validates the client's key and describes the request, or null when no key was sent. */
export function idempotentRequest(
  userId: string,
  key: string | null | undefined,
  operation: string,
  args: Record<string, string | number>,
): IdempotentRequest | null {
  if (key === null || key === undefined) return null;
  if (key.length < 1 || key.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw idempotencyErrors.badKey();
  }
  return { userId, keyDigest: sha256(key), operation, requestHash: sha256(canonical(args)) };
}

/** Thrown inside the transaction when the key is taken, so that the effect rolls back. */
class KeyTaken extends Error {}

/** Claim or replay: the one way a money operation runs its effect under a key. */
export class Idempotency {
  constructor(
    private readonly deps: { store: IdempotencyStore; transaction: SqlTransactionRunner; clock: Clock },
  ) {}

  /**
   * The id of the first result when the key was used before with the same operation and
   * arguments; null when the key is unused (or none was sent); BAD_USER_INPUT when it was
   * used for something else.
   */
  async prior(request: IdempotentRequest | null): Promise<string | null> {
    if (!request) return null;
    const record = await this.deps.store.find(request.userId, request.keyDigest);
    if (!record) return null;
    if (record.operation !== request.operation || record.requestHash !== request.requestHash) {
      throw idempotencyErrors.usedElsewhere();
    }
    if (record.resultId === null) throw new Error("idempotency key stored without its result");
    return record.resultId;
  }

  /**
   * Runs `effect` in one transaction that first claims the key for `resultId` (sent in the
   * same round trip as the effect's own statements). When the key is already taken the whole
   * transaction rolls back and the first result is the answer; when the effect throws, the
   * key rolls back with it, so the same key may be retried.
   */
  async run<T>(
    request: IdempotentRequest | null,
    resultId: string,
    effect: (tx: Tx) => Promise<T>,
  ): Promise<Once<T>> {
    try {
      const value = await this.deps.transaction(async (tx) => {
        const claimed = request
          ? this.deps.store.claim(tx, request, resultId, this.deps.clock.now())
          : Promise.resolve(true);
        const [claim, done] = await Promise.allSettled([claimed, effect(tx)]);
        if (claim.status === "rejected") throw claim.reason;
        if (!claim.value) throw new KeyTaken();
        if (done.status === "rejected") throw done.reason;
        return done.value;
      });
      return { kind: "done", value };
    } catch (error) {
      if (!(error instanceof KeyTaken)) throw error;
      // A concurrent request with this key committed first: its result is the answer.
      const prior = await this.prior(request);
      if (!prior) throw new Error("idempotency key taken but not readable");
      return { kind: "replay", resultId: prior };
    }
  }
}

/** Claim-or-replay on the keys table, with the money transactions' runner. */
export function sqlIdempotency(sql: Sql, clock: Clock): Idempotency {
  return new Idempotency({
    store: new SqlIdempotencyStore(sql),
    transaction: sqlTransactionRunner(sql),
    clock,
  });
}

export class SqlIdempotencyStore implements IdempotencyStore {
  constructor(private readonly sql: Sql) {}

  async claim(tx: Tx, request: IdempotentRequest, resultId: string, now: Date): Promise<boolean> {
    try {
      await tx.execute(
        "INSERT INTO idempotency_keys (user_id, `key`, operation, request_hash, result_id, created_at) VALUES (?, ?, ?, ?, ?, ?)",
        [request.userId, request.keyDigest, request.operation, request.requestHash, resultId, now],
      );
      return true;
    } catch (error) {
      if (isUniqueViolation(error, "PRIMARY")) return false;
      throw error;
    }
  }

  async find(userId: string, keyDigest: string): Promise<IdempotencyRecord | null> {
    const rows = await this.sql.select<IdempotencyRecord>(
      "SELECT operation, request_hash AS requestHash, result_id AS resultId FROM idempotency_keys WHERE user_id = ? AND `key` = ?",
      [userId, keyDigest],
    );
    return rows[0] ?? null;
  }
}
