// Sql.pipeline against real MariaDB: statements sent back to back on one connection run in
// order, each as if alone, and each settles on its own.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createPool, type Pool } from "mariadb";
import { Sql } from "../../../src/platform/db/sql.js";
import { poolConfigFromUrl } from "../../../src/platform/db/connection-options.js";
import { migrate } from "../../../src/platform/db/migrate.js";
import { createTestEnv, type TestEnv } from "../../helpers/test-env.js";

describe("Sql.pipeline against MariaDB", () => {
  let env: TestEnv;
  let pool: Pool;
  let sql: Sql;

  beforeAll(async () => {
    env = createTestEnv();
    await migrate(env.databaseUrl);
    pool = createPool(poolConfigFromUrl(env.databaseUrl, { connectionLimit: 2 }));
    sql = new Sql(pool);
    await sql.execute("CREATE TABLE pipeline_probe (id INT PRIMARY KEY, v INT NOT NULL)", []);
  });
  afterAll(async () => {
    await pool?.end();
    await env?.cleanup();
  });

  it("lets a later statement see what an earlier one wrote", async () => {
    const [inserted, read] = await sql.pipeline([
      ["INSERT INTO pipeline_probe (id, v) VALUES (?, ?)", [1, 10]],
      ["SELECT v FROM pipeline_probe WHERE id = ?", [1]],
    ]);
    expect(inserted).toMatchObject({ status: "fulfilled", value: { affectedRows: 1 } });
    expect(read).toMatchObject({ status: "fulfilled", value: [{ v: 10 }] });
  });

  it("settles each statement on its own: a refused first does not stop the second", async () => {
    const [refused, after] = await sql.pipeline([
      ["INSERT INTO pipeline_probe (id, v) VALUES (?, ?)", [1, 99]],
      ["UPDATE pipeline_probe SET v = v + 1 WHERE id = ?", [1]],
    ]);
    expect(refused!.status).toBe("rejected");
    expect((refused as PromiseRejectedResult).reason).toMatchObject({ code: "ER_DUP_ENTRY" });
    expect(after).toMatchObject({ status: "fulfilled", value: { affectedRows: 1 } });
    expect(await sql.select("SELECT v FROM pipeline_probe WHERE id = ?", [1])).toEqual([{ v: 11 }]);
  });

  it("gives the connection back to the pool (200 pipelines on a pool of 2)", async () => {
    await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        sql.pipeline([["INSERT INTO pipeline_probe (id, v) VALUES (?, ?)", [100 + i, i]]]),
      ),
    );
    expect(await sql.select("SELECT COUNT(*) AS n FROM pipeline_probe WHERE id >= 100", [])).toEqual([
      { n: 200n },
    ]);
  });
});
