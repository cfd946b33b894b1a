// A migrated test database with one concert's dates and seats, for the seat feature's
// repository and service tests (no server, no queue: the queue is faked).
import { businessToday, addDays } from "../../../src/platform/business-day.js";
import { createDatabase, type PrismaClient } from "../../../src/platform/db/prisma.js";
import type { Sql } from "../../../src/platform/db/sql.js";
import { migrate } from "../../../src/platform/db/migrate.js";
import { createTestEnv, type TestEnv } from "../../helpers/test-env.js";

export interface SeatDb {
  env: TestEnv;
  prisma: PrismaClient;
  /** The same pool without Prisma (what the seat hold runs on). */
  sql: Sql;
  close(): Promise<void>;
}

export async function openSeatDb(overrides: Record<string, string> = {}, poolSize = 20): Promise<SeatDb> {
  const env = createTestEnv(overrides);
  await migrate(env.databaseUrl);
  const { prisma, sql } = createDatabase(env.databaseUrl, poolSize);
  return {
    env,
    prisma,
    sql,
    async close() {
      await prisma.$disconnect();
      await env.cleanup();
    },
  };
}

export const seatPrice = (n: number) => (n <= 10 ? 165_000 : 99_000);

/** A concert with one date per offset (days from today in `timeZone`, negative = past), 50 seats each. */
export async function createConcert(
  prisma: PrismaClient,
  offsets: number[],
  timeZone = "Asia/Seoul",
): Promise<{ concertId: string; dates: { id: string; date: Date }[] }> {
  const concert = await prisma.concert.create({
    data: { title: "Test Live", artist: "Tester", venue: "Hall" },
  });
  const today = businessToday(new Date(), timeZone);
  const dates: { id: string; date: Date }[] = [];
  for (const offset of offsets) {
    const date = addDays(today, offset);
    const row = await prisma.concertDate.create({
      data: { concertId: concert.id, date, startsAt: new Date(date.getTime() + 10 * 3_600_000) },
    });
    await prisma.seat.createMany({
      data: Array.from({ length: 50 }, (_, i) => ({
        concertDateId: row.id,
        number: i + 1,
        price: seatPrice(i + 1),
      })),
    });
    dates.push({ id: row.id, date });
  }
  return { concertId: concert.id, dates };
}

export async function createUsers(prisma: PrismaClient, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push((await prisma.user.create({ data: { accessKeyHash: "0".repeat(64), name: `u${i}` } })).id);
  }
  return ids;
}

/** Moves a hold's end into the past by the database clock, instead of sleeping until it lapses. */
export async function lapse(prisma: PrismaClient, reservationId: string): Promise<void> {
  await prisma.$executeRaw`UPDATE reservations SET expires_at = NOW(3) - INTERVAL 1 SECOND WHERE id = ${reservationId}`;
}

export async function liveRowsOfSeat(
  prisma: PrismaClient,
  concertDateId: string,
  number: number,
): Promise<number> {
  const rows = await prisma.$queryRaw<{ n: bigint }[]>`
    SELECT COUNT(*) AS n FROM reservations r JOIN seats s ON s.id = r.seat_id
    WHERE s.concert_date_id = ${concertDateId} AND s.number = ${number} AND r.live = 1`;
  return Number(rows[0]?.n ?? 0);
}
