// Rows for the live-sale statements' tests, written straight into MariaDB: concerts, dates with
// their seats, and reservations (with payments) in any state, each by its own user; and the
// database they go into.
import { createPool, type Pool } from "mariadb";
import { afterAll, beforeAll } from "vitest";
import { poolConfigFromUrl } from "../../../src/platform/db/connection-options.js";
import { newId } from "../../../src/platform/db/ids.js";
import { migrate } from "../../../src/platform/db/migrate.js";
import { Sql } from "../../../src/platform/db/sql.js";
import { createTestEnv, type TestEnv } from "../../helpers/test-env.js";

export type FixtureStatus = "HELD" | "CONFIRMED" | "CANCELLED" | "EXPIRED";

const FIRST_DAY = Date.UTC(2030, 6, 1);
const dayAfterFirst = (d: number) => new Date(FIRST_DAY + d * 86_400_000).toISOString().slice(0, 10);

export function seatFixtures(sql: Sql) {
  async function users(count: number): Promise<string[]> {
    const ids = Array.from({ length: count }, () => newId());
    await sql.execute(
      `INSERT INTO users (id, access_key_hash) VALUES ${ids.map(() => "(?, ?)").join(", ")}`,
      ids.flatMap((id) => [id, "0".repeat(64)]),
    );
    return ids;
  }

  async function concert(): Promise<string> {
    const id = newId();
    await sql.execute("INSERT INTO concerts (id, title, artist, venue) VALUES (?, 't', 'a', 'v')", [id]);
    return id;
  }

  /** A date with `seats` seats (1,000 KRW each); returns the seat ids. */
  async function date(concertId: string, day: string, seats: number) {
    const dateId = newId();
    await sql.execute(
      "INSERT INTO concert_dates (id, concert_id, date, starts_at) VALUES (?, ?, ?, CONCAT(?, ' 19:00:00'))",
      [dateId, concertId, day, day],
    );
    const seatIds = Array.from({ length: seats }, () => newId());
    if (seats > 0)
      await sql.execute(
        `INSERT INTO seats (id, concert_date_id, number, price) VALUES ${seatIds.map(() => "(?, ?, ?, 1000)").join(", ")}`,
        seatIds.flatMap((id, i) => [id, dateId, i + 1]),
      );
    return { dateId, seatIds };
  }

  /**
   * A reservation of the seat by a new user, ending `expiresInSeconds` from the database's now
   * (negative: lapsed). Returns its id and its user.
   */
  async function reserve(dateId: string, seatId: string, status: FixtureStatus, expiresInSeconds = 300) {
    const live = status === "HELD" || status === "CONFIRMED" ? 1 : null;
    const [id, [userId]] = [newId(), await users(1)];
    await sql.execute(
      `INSERT INTO reservations (id, user_id, seat_id, concert_date_id, status, live, price, expires_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 1000, NOW(3) + INTERVAL ? SECOND, NOW(3), NOW(3))`,
      [id, userId, seatId, dateId, status, live, expiresInSeconds],
    );
    return { id, userId: userId! };
  }

  /** A CONFIRMED reservation of the seat with its payment of `amount`, paid `agoSeconds` ago. */
  async function buy(dateId: string, seatId: string, amount: number, agoSeconds = 0) {
    const { id, userId } = await reserve(dateId, seatId, "CONFIRMED");
    await sql.execute(
      "INSERT INTO payments (id, user_id, reservation_id, amount, paid_at) VALUES (?, ?, ?, ?, NOW(3) - INTERVAL ? SECOND)",
      [newId(), userId, id, amount, agoSeconds],
    );
  }

  /**
   * `count` consecutive dates from 1 July 2030 with 50 seats each, every seat sold (50 buyers,
   * one seat of each date each), then one more date with its 50 seats free. Returns the sold
   * dates' ids.
   */
  async function soldDatesThenOpenOne(concertId: string, count: number): Promise<string[]> {
    const buyers = await users(50);
    const sold: string[] = [];
    for (let d = 0; d < count; d++) {
      const { dateId, seatIds } = await date(concertId, dayAfterFirst(d), 50);
      sold.push(dateId);
      await sql.execute(
        `INSERT INTO reservations (id, user_id, seat_id, concert_date_id, status, live, price, expires_at, created_at, updated_at)
         VALUES ${seatIds.map(() => "(?, ?, ?, ?, 'CONFIRMED', 1, 1000, NOW(3), NOW(3), NOW(3))").join(", ")}`,
        seatIds.flatMap((seatId, i) => [newId(), buyers[i]!, seatId, dateId]),
      );
    }
    await date(concertId, dayAfterFirst(count), 50);
    return sold;
  }

  /**
   * The rows the session's handlers read while `run` ran (FLUSH STATUS, then the sum of the
   * Handler_read% counters): `sql` must be on a pool of one connection.
   */
  async function handlerReads(run: () => Promise<unknown>): Promise<number> {
    await sql.execute("FLUSH STATUS", []);
    await run();
    const rows = await sql.select<{ Value: string }>("SHOW SESSION STATUS LIKE 'Handler_read%'", []);
    return rows.reduce((sum, r) => sum + Number(r.Value), 0);
  }

  return { concert, date, reserve, buy, soldDatesThenOpenOne, handlerReads };
}

/**
 * For the enclosing describe: a migrated database of its own on one pooled connection (so that
 * the session's handler counters belong to the statement measured), dropped after. The
 * statistics of `frozenTables` stay those of the empty tables (`STATS_AUTO_RECALC = 0`), as on
 * a young database until InnoDB recalculates them. Read `sql` and `fixtures` inside the tests.
 */
export function oneConnectionDatabase(frozenTables: string[] = []) {
  const db = {} as { sql: Sql; fixtures: ReturnType<typeof seatFixtures> };
  let env: TestEnv | undefined;
  let pool: Pool | undefined;
  beforeAll(async () => {
    env = createTestEnv();
    await migrate(env.databaseUrl);
    pool = createPool(poolConfigFromUrl(env.databaseUrl, { connectionLimit: 1 }));
    db.sql = new Sql(pool);
    db.fixtures = seatFixtures(db.sql);
    for (const table of frozenTables) await db.sql.execute(`ALTER TABLE ${table} STATS_AUTO_RECALC = 0`, []);
  });
  afterAll(async () => {
    await pool?.end();
    await env?.cleanup();
  });
  return db;
}
