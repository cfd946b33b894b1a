// Stripe-style idempotency keys, scoped to the user. The key row is inserted FIRST inside the
// transaction that makes the effect, so the primary key (user_id, key) is what lets exactly
// one request through: a concurrent duplicate blocks on the key until the first commits and
// then fails with a duplicate-key error (or proceeds, if the first rolled back).
import { createHash } from "node:crypto";
import type { Db } from "../../platform/db/prisma.js";
import { badInput } from "../../platform/errors.js";
import { isUniqueViolation } from "../../platform/db/db-errors.js";

export const MAX_IDEMPOTENCY_KEY_LENGTH = 255;

export interface IdempotencyRecord {
  operation: string;
  requestHash: string;
  resultId: string | null;
}

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
  claim(db: Db, request: IdempotentRequest, resultId: string, now: Date): Promise<boolean>;
  find(db: Db, userId: string, keyDigest: string): Promise<IdempotencyRecord | null>;
}

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
    throw badInput(
      `idempotencyKey must be 1 to ${MAX_IDEMPOTENCY_KEY_LENGTH} characters; send a fresh random key (a UUID) per intended operation.`,
    );
  }
  return { userId, keyDigest: sha256(key), operation, requestHash: sha256(canonical(args)) };
}

/**
 * The id of the first result when the key was used before with the same operation and
 * arguments; null when the key is unused; BAD_USER_INPUT when it was used for something else.
 */
export async function priorResult(
  store: IdempotencyStore,
  db: Db,
  request: IdempotentRequest,
): Promise<string | null> {
  const record = await store.find(db, request.userId, request.keyDigest);
  if (!record) return null;
  if (record.operation !== request.operation || record.requestHash !== request.requestHash) {
    throw badInput(
      "This idempotencyKey was already used for a different request; use a new key for a new operation.",
    );
  }
  if (record.resultId === null) throw new Error("idempotency key stored without its result");
  return record.resultId;
}

export class PrismaIdempotencyStore implements IdempotencyStore {
  async claim(db: Db, request: IdempotentRequest, resultId: string, now: Date): Promise<boolean> {
    try {
      await db.$executeRaw`
        INSERT INTO idempotency_keys (user_id, \`key\`, operation, request_hash, result_id, created_at)
        VALUES (${request.userId}, ${request.keyDigest}, ${request.operation}, ${request.requestHash},
                ${resultId}, ${now})`;
      return true;
    } catch (error) {
      if (isUniqueViolation(error, "PRIMARY")) return false;
      throw error;
    }
  }

  async find(db: Db, userId: string, keyDigest: string): Promise<IdempotencyRecord | null> {
    return db.idempotencyKey.findUnique({
      where: { userId_key: { userId, key: keyDigest } },
      select: { operation: true, requestHash: true, resultId: true },
    });
  }
}
