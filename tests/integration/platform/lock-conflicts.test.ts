// MySQL lock conflicts against real MariaDB. Under the soak's mixed traffic InnoDB picked a
// hold's INSERT and a cancel's UPDATE (each a statement on its own) as deadlock victims, and
// the client got INTERNAL_SERVER_ERROR. Here a deadlock is made on purpose: a transaction that
// has changed many rows (so InnoDB rolls the other side back) and a single statement that
// each wait for a row the other holds.
import { GraphQLError } from "graphql";
import { createPool, type Pool, type PoolConnection } from "mariadb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { poolConfigFromUrl } from "../../../src/platform/db/connection-options.js";
import { migrate } from "../../../src/platform/db/migrate.js";
import { createDatabase, type PrismaClient } from "../../../src/platform/db/prisma.js";
import { Sql } from "../../../src/platform/db/sql.js";
import { classifyError } from "../../../src/platform/graphql/format-error.js";
import { createTestEnv, type TestEnv } from "../../helpers/test-env.js";

const ROWS = 50;

describe("MySQL lock conflicts", () => {
  let env: TestEnv;
  let pool: Pool;

  beforeAll(async () => {
    env = createTestEnv();
    await migrate(env.databaseUrl);
    pool = createPool(poolConfigFromUrl(env.databaseUrl, { connectionLimit: 5 }));
    await pool.query("CREATE TABLE lock_probe (id INT PRIMARY KEY, v INT NOT NULL) ENGINE=InnoDB");
  });
  beforeEach(async () => {
    await pool.query("DELETE FROM lock_probe");
    const rows = Array.from({ length: ROWS }, (_, i) => `(${i + 1}, 0)`).join(", ");
    await pool.query(`INSERT INTO lock_probe (id, v) VALUES ${rows}`);
  });
  afterAll(async () => {
    await pool?.end();
    await env?.cleanup();
  });

  /**
   * Transactions waiting for a row lock of lock_probe right now, found by their statement
   * (the table is this file's own). A CI run once saw none for 10 s by a join with
   * PROCESSLIST on the database name; the rows seen now go into the failure message.
   */
  async function lockWaits(): Promise<{ waiting: number; seen: string }> {
    const rows = await pool.query<{ state: string; query: string | null }[]>(
      `SELECT trx_state AS state, trx_query AS query FROM information_schema.INNODB_TRX
       WHERE trx_query LIKE '%lock_probe%'`,
    );
    const waiting = rows.filter((r) => r.state === "LOCK WAIT" && /lock_probe/.test(r.query ?? ""));
    return { waiting: waiting.length, seen: JSON.stringify(rows) };
  }

  /** Waits until `count` statements wait for a lock; fails at once if `victim` has settled. */
  async function untilWaiting(count: number, victim: { settled?: string }): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const { waiting, seen } = await lockWaits();
      if (waiting >= count) return;
      if (victim.settled !== undefined || Date.now() > deadline) {
        const why = victim.settled ?? "still running";
        throw new Error(`fewer than ${count} statements waiting for a lock (victim: ${why}; ${seen})`);
      }
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /**
   * Makes `statement` (UPDATE of rows 1 and 2, in that order) a deadlock's victim: `heavy` has
   * changed rows 2..50 first, the statement takes row 1 and waits for row 2, then `heavy`
   * asks for row 1. Returns the statement's own promise and what `heavy` then did.
   */
  async function deadlock<T>(statement: () => Promise<T>) {
    const heavy: PoolConnection = await pool.getConnection();
    try {
      await heavy.query("SET autocommit = 0");
      await heavy.query("UPDATE lock_probe SET v = v + 1 WHERE id >= 2");
      const victim = statement();
      const state: { settled?: string } = {};
      victim.then(
        () => (state.settled = "finished without waiting"),
        (e: unknown) => (state.settled = `failed: ${String(e)}`),
      );
      await untilWaiting(1, state);
      await heavy.query("UPDATE lock_probe SET v = v + 1 WHERE id = 1");
      await heavy.query("COMMIT");
      return victim;
    } finally {
      await heavy.query("SET autocommit = 1");
      await heavy.release();
    }
  }

  const BOTH = "UPDATE lock_probe SET v = v + 10 WHERE id IN (1, 2)";

  it("sends a statement of Sql again when InnoDB made it a deadlock's victim", async () => {
    const sql = new Sql(pool);
    const result = await deadlock(() => sql.execute(BOTH, []));
    expect(result).toEqual({ affectedRows: 2 });
    const rows = await pool.query<{ id: number; v: number }[]>(
      "SELECT id, v FROM lock_probe WHERE id <= 3 ORDER BY id",
    );
    // Both the transaction's +1 and the statement's +10, each exactly once.
    expect(rows.map((r) => [r.id, r.v])).toEqual([
      [1, 11],
      [2, 11],
      [3, 1],
    ]);
  });

  it("sends a pipeline of Sql again when its first statement was a deadlock's victim", async () => {
    const sql = new Sql(pool);
    const [write, read] = await deadlock(() =>
      sql.pipeline([
        [BOTH, []],
        ["SELECT v FROM lock_probe WHERE id = 1", []],
      ]),
    );
    expect(write).toMatchObject({ status: "fulfilled", value: { affectedRows: 2 } });
    // The read of the attempt that counted sees the write once: +1 and +10.
    expect(read).toMatchObject({ status: "fulfilled", value: [{ v: 11 }] });
  });

  /** What a client is told about `error` thrown in a resolver. */
  const answer = (error: Error) => {
    const wrapped = new GraphQLError(error.message, { originalError: error, path: ["reserveSeat"] });
    return classifyError(wrapped.toJSON(), wrapped);
  };

  it("answers a deadlock that reaches a resolver SERVICE_UNAVAILABLE, not INTERNAL_SERVER_ERROR", async () => {
    // The driver's own error, as a statement without Sql's retry gets it.
    const error = await deadlock(() => pool.query(BOTH)).then(
      () => null,
      (e: unknown) => e as Error & { errno?: number },
    );
    expect(error?.errno).toBe(1213);
    const result = answer(error!);
    expect(result.severity).toBe("unavailable");
    expect(result.formatted.extensions).toEqual({ code: "SERVICE_UNAVAILABLE" });
    expect(result.formatted.message).not.toMatch(/Deadlock|lock_probe/);
  });

  describe("a lock wait timeout", () => {
    let prisma: PrismaClient;
    beforeAll(() => {
      prisma = createDatabase(env.databaseUrl, 2).prisma;
    });
    afterAll(async () => {
      await prisma?.$disconnect();
    });

    it("is SERVICE_UNAVAILABLE from the driver and through Prisma", async () => {
      const holder = await pool.getConnection();
      try {
        await holder.query("SET autocommit = 0");
        await holder.query("UPDATE lock_probe SET v = v + 1 WHERE id = 1");
        const waiter = await pool.getConnection();
        const driver = await waiter
          .query("SET SESSION innodb_lock_wait_timeout = 1")
          .then(() => waiter.query("UPDATE lock_probe SET v = v + 1 WHERE id = 1"))
          .then(
            () => null,
            (e: unknown) => e as Error & { errno?: number },
          )
          .finally(() => waiter.destroy());
        expect(driver?.errno).toBe(1205);
        const throughPrisma = await prisma
          .$transaction(async (tx) => {
            await tx.$executeRawUnsafe("SET SESSION innodb_lock_wait_timeout = 1");
            await tx.$executeRawUnsafe("UPDATE lock_probe SET v = v + 1 WHERE id = 1");
          })
          .then(
            () => null,
            (e: unknown) => e as Error,
          );
        expect(throughPrisma).toBeInstanceOf(Error);
        for (const error of [driver!, throughPrisma!]) {
          expect(answer(error).formatted.extensions).toEqual({ code: "SERVICE_UNAVAILABLE" });
        }
      } finally {
        await holder.query("ROLLBACK");
        await holder.query("SET autocommit = 1");
        await holder.release();
      }
    });
  });
});
