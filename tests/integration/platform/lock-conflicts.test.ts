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
  let database: string;

  beforeAll(async () => {
    env = createTestEnv();
    await migrate(env.databaseUrl);
    pool = createPool(poolConfigFromUrl(env.databaseUrl, { connectionLimit: 5 }));
    database = new URL(env.databaseUrl).pathname.slice(1);
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

  /** Statements of this test's database waiting for a row lock right now. */
  async function lockWaits(): Promise<number> {
    const [row] = await pool.query<{ n: bigint }[]>(
      `SELECT COUNT(*) AS n FROM information_schema.INNODB_TRX t
       JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id
       WHERE p.DB = ? AND t.trx_state = 'LOCK WAIT'`,
      [database],
    );
    return Number(row!.n);
  }

  async function untilWaiting(count: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    while ((await lockWaits()) < count) {
      if (Date.now() > deadline) throw new Error(`fewer than ${count} statements waiting for a lock`);
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
      victim.catch(() => undefined);
      await untilWaiting(1);
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
