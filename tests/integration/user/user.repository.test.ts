// The access-key lookup against real MariaDB: lookups that arrive together go to the database
// as one statement, and each caller still gets its own user's hash (or null).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDatabase, type PrismaClient } from "../../../src/platform/db/prisma.js";
import { createPool, type Pool } from "mariadb";
import { Sql } from "../../../src/platform/db/sql.js";
import { poolConfigFromUrl } from "../../../src/platform/db/connection-options.js";
import { migrate } from "../../../src/platform/db/migrate.js";
import { PrismaUserRepository } from "../../../src/modules/user/user.repository.js";
import { createTestEnv, type TestEnv } from "../../helpers/test-env.js";

/** The real Sql, counting the statements it sends. */
class CountingSql extends Sql {
  statements: string[] = [];
  override select<T>(sql: string, values: unknown[]): Promise<T[]> {
    this.statements.push(sql);
    return super.select<T>(sql, values);
  }
}

describe("PrismaUserRepository.findAccessKeyHash against MariaDB", () => {
  let env: TestEnv;
  let prisma: PrismaClient;
  let sql: CountingSql;
  let users: PrismaUserRepository;
  let pool: Pool;

  beforeAll(async () => {
    env = createTestEnv();
    await migrate(env.databaseUrl);
    prisma = createDatabase(env.databaseUrl, 5).prisma;
    pool = createPool(poolConfigFromUrl(env.databaseUrl, { connectionLimit: 5 }));
    sql = new CountingSql(pool);
    users = new PrismaUserRepository(prisma, sql);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await pool?.end();
    await env?.cleanup();
  });

  it("answers 200 concurrent lookups with one statement, each with its own user's hash", async () => {
    const created = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        users.createWithWallet(`u${i}`, i.toString(16).padStart(64, "0")),
      ),
    );
    sql.statements = [];
    const hashes = await Promise.all(created.map((u) => users.findAccessKeyHash(u.id)));
    expect(hashes).toEqual(created.map((_, i) => i.toString(16).padStart(64, "0")));
    expect(sql.statements).toHaveLength(1);
    expect(sql.statements[0]).toMatch(/WHERE id IN \(\?(,\?){199}\)$/);
  });

  it("gives null to an unknown id in the same batch as known ones, and the same hash to a repeated id", async () => {
    const known = await users.createWithWallet("known", "a".repeat(64));
    sql.statements = [];
    const [a, unknown, again] = await Promise.all([
      users.findAccessKeyHash(known.id),
      users.findAccessKeyHash("00000000-0000-7000-8000-000000000000"),
      users.findAccessKeyHash(known.id),
    ]);
    expect([a, unknown, again]).toEqual(["a".repeat(64), null, "a".repeat(64)]);
    expect(sql.statements).toHaveLength(1);
  });

  it("looks up again in a later batch (nothing is cached between batches)", async () => {
    const u = await users.createWithWallet("later", "b".repeat(64));
    await users.findAccessKeyHash(u.id);
    sql.statements = [];
    await users.findAccessKeyHash(u.id);
    expect(sql.statements).toHaveLength(1);
  });
});
