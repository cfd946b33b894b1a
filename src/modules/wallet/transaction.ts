// The transaction boundary the money services use. Services receive a TransactionRunner (not
// Prisma), so unit tests hand them an in-memory one.
import type { Db, PrismaClient } from "../../platform/db/prisma.js";
import { isRetryableTransactionError } from "./db-errors.js";

export type TransactionRunner = <T>(work: (tx: Db) => Promise<T>) => Promise<T>;

const ATTEMPTS = 5;

/**
 * READ COMMITTED: every rule is a conditional UPDATE or a unique index that locks the row it
 * decides on, so no statement needs a snapshot older than "now"; RC also avoids the gap locks
 * that REPEATABLE READ would take on inserts. A deadlock rolls the whole transaction back, so
 * it is retried from the start (nothing of the failed attempt survives).
 */
export function prismaTransactionRunner(prisma: PrismaClient): TransactionRunner {
  return async <T>(work: (tx: Db) => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await prisma.$transaction((tx) => work(tx), {
          isolationLevel: "ReadCommitted",
          // Under a burst, transactions queue for a pooled connection; waiting is better than
          // failing a payment that would have succeeded a moment later.
          maxWait: 30_000,
          timeout: 30_000,
        });
      } catch (error) {
        if (attempt >= ATTEMPTS || !isRetryableTransactionError(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20));
      }
    }
  };
}
