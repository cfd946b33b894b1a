// The transaction boundary of the seat services. Services receive a Transactor (not Prisma),
// so unit tests hand them an in-memory one.
import type { Db, PrismaClient } from "../../platform/db/prisma.js";
import { isRetryableTransactionError } from "./db-errors.js";

export type Transactor = <T>(work: (tx: Db) => Promise<T>) => Promise<T>;

const ATTEMPTS = 5;

/**
 * READ COMMITTED: each decision is a conditional UPDATE or a unique index, both of which lock
 * and re-read the newest committed row, so no snapshot is needed; RC also avoids the gap locks
 * REPEATABLE READ takes around inserts. Concurrent inserts on one unique key can deadlock (the
 * waiters' shared locks), and InnoDB then rolls one back whole, so it is simply run again.
 */
export function prismaTransactor(prisma: PrismaClient): Transactor {
  return async <T>(work: (tx: Db) => Promise<T>): Promise<T> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await prisma.$transaction((tx) => work(tx), {
          isolationLevel: "ReadCommitted",
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
