// The MySQL pool on /metrics, against real MariaDB: a pool of one connection held by one
// statement makes the next one wait, and the gauges and the wait counter say so.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../../src/platform/db/migrate.js";
import { createDatabase, type Database } from "../../../src/platform/db/prisma.js";
import { AppMetrics } from "../../../src/platform/metrics/metrics.js";
import { parsePrometheus } from "../../helpers/prometheus.js";
import { createTestEnv, type TestEnv } from "../../helpers/test-env.js";

describe("MySQL pool metrics", () => {
  let env: TestEnv;
  let db: Database;
  const metrics = new AppMetrics();
  const scrape = async () => parsePrometheus((await metrics.render()).body);

  beforeAll(async () => {
    env = createTestEnv();
    await migrate(env.databaseUrl);
    db = createDatabase(env.databaseUrl, 1);
    metrics.watchDatabasePool(db.pool);
  });
  afterAll(async () => {
    await db?.prisma.$disconnect();
    await env?.cleanup();
  });

  it("shows a statement waiting for the only connection, and counts the wait", async () => {
    await db.sql.select("SELECT 1", []); // the first statement waited for the connection to open
    const idle = await scrape();
    const waitsBefore = idle.get("db_pool_waits_total")!;
    expect(waitsBefore).toBeGreaterThanOrEqual(0);
    expect(idle.get('db_pool_connections{state="idle"}')).toBe(1);
    expect(idle.get('db_pool_connections{state="active"}')).toBe(0);
    expect(idle.get("db_pool_waiting")).toBe(0);

    const long = db.sql.select("SELECT SLEEP(1) AS slept", []);
    const next = db.sql.select<{ n: number }>("SELECT 2 AS n", []);
    await new Promise((r) => setImmediate(r)); // the pool emits "enqueue" on the next turn
    const busy = await scrape();
    expect(busy.get('db_pool_connections{state="active"}')).toBe(1);
    expect(busy.get("db_pool_waiting")).toBe(1);
    expect(busy.get("db_pool_waits_total")).toBe(waitsBefore + 1);

    await long;
    expect(await next).toEqual([{ n: 2 }]);
    const after = await scrape();
    expect(after.get("db_pool_waiting")).toBe(0);
    expect(after.get("db_pool_waits_total")).toBe(waitsBefore + 1);
    expect(after.get('db_pool_connections{state="idle"}')).toBe(1);
  });
});
