// The transaction boundaries of the services that write MySQL. Services receive a runner, not
// a database handle, so unit tests hand them an in-memory one; repositories take the `Tx` it
// passes (or run on their own handle outside a transaction).
import type { PoolConnection } from "mariadb";
import type { Db, PrismaClient } from "./prisma.js";
import { backOff, DEADLOCK_ATTEMPTS as ATTEMPTS, type Sql } from "./sql.js";
import { isPoolTimeout, isRetryableTransactionError } from "./db-errors.js";

export type TransactionRunner = <T>(work: (tx: Db) => Promise<T>) => Promise<T>;

/** A transaction in progress on one connection: what repositories run their statements on. */
export type Tx = Pick<Sql, "select" | "execute">;

export type SqlTransactionRunner = <T>(work: (tx: Tx) => Promise<T>) => Promise<T>;

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
        await backOff(attempt);
      }
    }
  };
}

/** The driver's own error numbers (statements on `Sql` fail with the driver's SqlError). */
const errnoOf = (error: unknown) => (error as { errno?: unknown } | null)?.errno;
/** Deadlock (1213) or lock wait timeout (1205): run the whole transaction again. */
const isRetryable = (error: unknown) => errnoOf(error) === 1213 || errnoOf(error) === 1205;
/**
 * Every pooled connection stayed busy for acquireTimeout (45028): nothing ran yet, so waiting
 * longer is safe. When MySQL is unreachable the same error carries the connect failure as its
 * `cause`: then the caller gets SERVICE_UNAVAILABLE at once.
 */
const isBusyPool = (error: unknown) => errnoOf(error) === 45028 && !(error as { cause?: unknown }).cause;

/**
 * The money transactions, on the driver without Prisma, with the same READ COMMITTED, retries
 * and pool wait as prismaTransactionRunner. Statements a `work` issues without awaiting each
 * are pipelined (the driver sends them back to back): a payment's statements cost one round
 * trip, and its COMMIT a second.
 *
 * Pipelining is safe because the connection runs with autocommit off rather than after
 * START TRANSACTION: a deadlock in the middle rolls the transaction back, and the statements
 * already sent behind it then open a new implicit transaction, which the ROLLBACK below
 * discards, instead of committing one by one. `SET autocommit = 1` commits (MySQL and MariaDB
 * commit an open transaction when autocommit is switched back on) and leaves the pooled
 * connection as Prisma expects it; a connection whose state is unknown is destroyed, never
 * released.
 */
export function sqlTransactionRunner(sql: Sql): SqlTransactionRunner {
  return async <T>(work: (tx: Tx) => Promise<T>): Promise<T> => {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      let connection: PoolConnection;
      try {
        connection = await sql.connection();
      } catch (error) {
        if (isBusyPool(error) && Date.now() - started < CONNECTION_WAIT_MS) continue;
        throw error;
      }
      try {
        return await runOnce(connection, work);
      } catch (error) {
        if (attempt >= ATTEMPTS || !isRetryable(error)) throw error;
        await backOff(attempt);
      }
    }
  };
}

async function runOnce<T>(connection: PoolConnection, work: (tx: Tx) => Promise<T>): Promise<T> {
  const tx: Tx = {
    select: <R>(statement: string, values: unknown[]) => connection.query<R[]>(statement, values),
    execute: async (statement, values) => {
      const result = await connection.query<{ affectedRows: number }>(statement, values);
      return { affectedRows: Number(result.affectedRows) };
    },
  };
  // Sent together with the work's first statements; awaited before the commit.
  const opened = Promise.all([
    connection.query("SET TRANSACTION ISOLATION LEVEL READ COMMITTED"),
    connection.query("SET autocommit = 0"),
  ]);
  opened.catch(() => undefined);
  let result: T;
  try {
    result = await work(tx);
    await opened;
    await connection.query("SET autocommit = 1");
  } catch (error) {
    await Promise.all([connection.query("ROLLBACK"), connection.query("SET autocommit = 1")]).then(
      () => connection.release(),
      () => connection.destroy(),
    );
    throw error;
  }
  await connection.release();
  return result;
}
