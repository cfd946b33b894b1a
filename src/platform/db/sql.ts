// Direct SQL on the same mariadb pool that Prisma's adapter uses, for the few statements on the
// sale-day hot paths (the access-key lookup of every queue entry, and a seat hold). Prisma's
// query engine costs about 0.4 ms of CPU per statement on top of the driver; on those paths that
// was most of the request (bench/README.md, "Where the time goes", item 10). Everything else,
// and every transaction, stays on Prisma. Values are always bound (`?`), never spliced.
import type { Pool, PoolConnection } from "mariadb";

/** What a raw statement that writes reports. */
export interface WriteResult {
  affectedRows: number;
}

export class Sql {
  constructor(private readonly pool: Pool) {}

  /** Rows as objects keyed by column label (use `AS camelCase`); DATETIME comes back as a UTC Date. */
  select<T>(sql: string, values: unknown[]): Promise<T[]> {
    return this.pool.query<T[]>(sql, values);
  }

  async execute(sql: string, values: unknown[]): Promise<WriteResult> {
    const result = await this.pool.query<{ affectedRows: number }>(sql, values);
    return { affectedRows: Number(result.affectedRows) };
  }

  /**
   * Statements sent back to back on one connection, each without waiting for the answer to the
   * one before (the driver's pipelining): the caller waits one round trip for all of them instead
   * of one each. Each runs in autocommit, in order, as if sent alone (a later one sees what an
   * earlier one wrote), and each settles on its own: a refused first statement does not stop the
   * second.
   */
  async pipeline(statements: [sql: string, values: unknown[]][]): Promise<PromiseSettledResult<unknown>[]> {
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
