// Direct SQL on the same mariadb pool that Prisma's adapter uses, for the few statements on the
// sale-day hot paths (the access-key lookup of every queue entry, and a seat hold). Prisma's
// query engine costs about 0.4 ms of CPU per statement on top of the driver; on those paths that
// was most of the request (bench/README.md, "Where the time goes", item 10). Everything else,
// and every transaction, stays on Prisma. Values are always bound (`?`), never spliced.
//
// Each statement here runs on its own (autocommit). Under load InnoDB can pick one as a
// deadlock's victim even so: a hold's INSERT waiting on the duplicate-key check of
// `reservations_seat_id_live_key` against a cancel's UPDATE of the same seat's entry, which in
// turn needs the gap the INSERT's shared lock covers (found by the bench soak, bench/README.md).
// The victim's statement was rolled back entirely, so it is sent again, as InnoDB's message says.
import type { Pool, PoolConnection } from "mariadb";

/** What a raw statement that writes reports. */
export interface WriteResult {
  affectedRows: number;
}

/** Attempts of a statement (and of a transaction, db/transaction.ts) that loses a deadlock. */
export const DEADLOCK_ATTEMPTS = 5;

/** InnoDB chose a statement sent through the driver as a deadlock's victim (errno 1213). */
export const isDeadlock = (error: unknown) => (error as { errno?: unknown } | null)?.errno === 1213;

/** A short, jittered pause before the next attempt, growing with it. */
export const backOff = (attempt: number) =>
  new Promise((resolve) => setTimeout(resolve, 5 * attempt + Math.random() * 20));

export class Sql {
  constructor(private readonly pool: Pool) {}

  /** Rows as objects keyed by column label (use `AS camelCase`); DATETIME comes back as a UTC Date. */
  select<T>(sql: string, values: unknown[]): Promise<T[]> {
    return this.query<T[]>(sql, values);
  }

  async execute(sql: string, values: unknown[]): Promise<WriteResult> {
    const result = await this.query<{ affectedRows: number }>(sql, values);
    return { affectedRows: Number(result.affectedRows) };
  }

  /** One statement, sent again when it was a deadlock's victim (see the top of this file). */
  private query<T>(sql: string, values: unknown[]): Promise<T> {
    return this.retried(() => this.pool.query<T>(sql, values));
  }

  /**
   * Statements sent back to back on one connection, each without waiting for the answer to the
   * one before (the driver's pipelining): the caller waits one round trip for all of them instead
   * of one each. Each runs in autocommit, in order, as if sent alone (a later one sees what an
   * earlier one wrote), and each settles on its own: a refused first statement does not stop the
   * second. Callers send one write first and then reads of it: when that write was a deadlock's
   * victim (rolled back, so without effect) the whole pipeline is sent again, like a single
   * statement.
   */
  pipeline(statements: [sql: string, values: unknown[]][]): Promise<PromiseSettledResult<unknown>[]> {
    return this.retried(async () => {
      const results = await this.pipelineOnce(statements);
      const first = results[0];
      if (first?.status === "rejected" && isDeadlock(first.reason)) throw first.reason;
      return results;
    });
  }

  /** `run` again after a short pause while it loses a deadlock, up to DEADLOCK_ATTEMPTS times. */
  private async retried<T>(run: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await run();
      } catch (error) {
        if (attempt >= DEADLOCK_ATTEMPTS || !isDeadlock(error)) throw error;
        await backOff(attempt);
      }
    }
  }

  private async pipelineOnce(statements: [string, unknown[]][]): Promise<PromiseSettledResult<unknown>[]> {
    const conn = await this.pool.getConnection();
    try {
      return await Promise.allSettled(statements.map(([sql, values]) => conn.query(sql, values)));
    } finally {
      await conn.release();
    }
  }

  /** A connection of its own, for a transaction (db/transaction.ts); release or destroy it. */
  connection(): Promise<PoolConnection> {
    return this.pool.getConnection();
  }
}
