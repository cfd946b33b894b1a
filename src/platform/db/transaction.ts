// The transaction boundary of every service that writes MySQL. Services receive a
// TransactionRunner (not Prisma), so unit tests hand them an in-memory one.
import type { Db, PrismaClient } from "./prisma.js";
import { isPoolTimeout, isRetryableTransactionError } from "./db-errors.js";

export type TransactionRunner = <T>(work: (tx: Db) => Promise<T>) => Promise<T>;

const ATTEMPTS = 5;
/** How long a burst may queue for a pooled connection before the caller gets SERVICE_UNAVAILABLE. */
const CONNECTION_WAIT_MS = 30_000;

/**
 * READ COMMITTED: every rule is a conditional UPDATE or a unique index that locks the row it
 * decides on, so no statement needs a snapshot older than "now"; RC also avoids the gap locks
 * that REPEATABLE READ would take on inserts. A deadlock rolls the whole transaction back, so
 * it is retried from the start (nothing of the failed attempt survives).
 */
export function prismaTransactionRunner(prisma: PrismaClient): TransactionRunner {
  return async <T>(work: (tx: Db) => Promise<T>): Promise<T> => {
    const started = Date.now();
    for (let attempt = 1; ;) {
      try {
        return await prisma.$transaction((tx) => work(tx), {
          isolationLevel: "ReadCommitted",
          maxWait: CONNECTION_WAIT_MS,
          timeout: 30_000,
        });
      } catch (error) {
        // Under a burst on one row (a wallet, a seat), transactions queue for a pooled connection behind its
        // row lock; the driver gives up after its acquireTimeout, before anything ran. Waiting
        // a while longer beats failing a charge that would succeed a moment later.
        if (isPoolTimeout(error) && Date.now() - started < CONNECTION_WAIT_MS) continue;
        if (attempt++ >= ATTEMPTS || !isRetryableTransactionError(error)) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20));
      }
    }
  };
}
