// The in-memory seat maps (concert/seat-board.ts) against real MariaDB and Redis, with a fake
// clock: a missed event or a counter Redis lost makes a date read again; the gate refuses a seat
// known taken without MySQL, and a stale gate never refuses a free seat beyond GATE_MS (less
// than one hold), after which the INSERT decides. The answer cache's stamp of a date moves with
// every change of its answers.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConcertRepository } from "../../../src/modules/concert/concert.repository.js";
import { GATE_MS, SeatBoard } from "../../../src/modules/concert/seat-board.js";
import { ReservationRepository } from "../../../src/modules/reservation/reservation.repository.js";
import { ReservationService } from "../../../src/modules/reservation/reservation.service.js";
import { FakeClock } from "../../../src/platform/clock.js";
import { createLogger } from "../../../src/platform/logger.js";
import { createAppPubSub } from "../../../src/platform/redis/pubsub.js";
import { createRedis, type Redis } from "../../../src/platform/redis/redis.js";
import type { Topics } from "../../../src/platform/redis/topics.js";
import { errorCodeOf, FakeQueue } from "../../unit/reservation/reservation-fakes.js";
import { createConcert, createUsers, openSeatDb, type SeatDb } from "../reservation/reservation-fixtures.js";

const HOLD_SECONDS = 300;
let db: SeatDb;
let redis: Redis;
let publisher: Redis;
let subscriber: Redis;
let clock: FakeClock;
let board: SeatBoard;
let queue: FakeQueue;
let reservations: ReservationService;
let holds: number;
/** What the board reported (SeatMapMetrics). */
let reported: { reads: Record<string, number>; rereads: Record<string, number> };

beforeAll(async () => {
  db = await openSeatDb();
  redis = createRedis(db.env.config);
  publisher = createRedis(db.env.config);
  subscriber = createRedis(db.env.config);
});
afterAll(async () => {
  for (const r of [redis, publisher, subscriber]) r?.disconnect();
  await db.close();
});
beforeEach(() => {
  clock = new FakeClock(new Date());
  queue = new FakeQueue();
  reported = { reads: {}, rereads: {} };
  board = new SeatBoard({
    redis,
    pubsub: createAppPubSub<Topics>(publisher, subscriber, db.env.redisPrefix),
    prefix: db.env.redisPrefix,
    clock,
    log: createLogger("silent"),
    repository: new ConcertRepository(db.prisma),
    holdSeconds: HOLD_SECONDS,
    metrics: {
      seatRead: (source) => void (reported.reads[source] = (reported.reads[source] ?? 0) + 1),
      reread: (scope) => void (reported.rereads[scope] = (reported.rereads[scope] ?? 0) + 1),
    },
  });
  const repository = new ReservationRepository({ prisma: db.prisma, sql: db.sql, clock });
  holds = 0;
  const counted = Object.assign(Object.create(repository) as ReservationRepository, {
    hold: (request: Parameters<ReservationRepository["hold"]>[0]) => {
      holds += 1;
      return repository.hold(request);
    },
  });
  reservations = new ReservationService({
    repository: counted,
    guard: queue,
    pass: queue,
    events: board,
    gate: board,
    clock,
    holdSeconds: HOLD_SECONDS,
    timeZone: "Asia/Seoul",
  });
});

const versionKey = (dateId: string) => `${db.env.redisPrefix}seatver:{${dateId}}`;
const free = async (dateId: string) => (await board.availableSeats(dateId)).map((s) => s.number);

async function heldBehindTheBoard(dateId: string, number: number): Promise<void> {
  const [user] = await createUsers(db.prisma, 1);
  const seat = await db.prisma.seat.findFirstOrThrow({ where: { concertDateId: dateId, number } });
  await db.prisma.$executeRaw`
    INSERT INTO reservations (id, user_id, seat_id, concert_date_id, status, live, price, expires_at, created_at, updated_at)
    VALUES (UUID(), ${user}, ${seat.id}, ${dateId}, 'HELD', 1, ${seat.price}, NOW(3) + INTERVAL 300 SECOND, NOW(3), NOW(3))`;
}

describe("freshness of the seat maps", () => {
  it("reads a date again when a version stays missing for one check (a lost event)", async () => {
    const { dates } = await createConcert(db.prisma, [1]);
    const dateId = dates[0]!.id;
    expect(await board.findDate(dateId)).not.toBeNull();
    expect(await free(dateId)).toContain(7);
    await heldBehindTheBoard(dateId, 7);
    await redis.incr(versionKey(dateId));
    await board.checkVersions(); // version 1 is missing: noted
    expect(await free(dateId)).toContain(7); // (not yet: its event may be on the way)
    await board.checkVersions(); // still missing: the date is read again
    await board.findDate(dateId);
    await until(async () => !(await free(dateId)).includes(7));
  });

  it("reads only the date whose version is missing, not the concert's other dates", async () => {
    const { dates } = await createConcert(db.prisma, [1, 2]);
    const [stale, other] = [dates[0]!.id, dates[1]!.id];
    await board.findDate(stale);
    expect(await free(stale)).toContain(7);
    expect(await free(other)).toContain(7);
    // Both dates changed in SQL behind the board; only the first one's version moved.
    await heldBehindTheBoard(stale, 7);
    await heldBehindTheBoard(other, 7);
    await redis.incr(versionKey(stale));
    await board.checkVersions();
    await board.checkVersions(); // still missing: that date alone is read again
    // Once the read is done (SQL answers meanwhile) the stale date shows the hold and the other
    // date's map is the one kept (a whole-concert read would show its hold too, and never 7).
    await until(async () => !(await free(stale)).includes(7) && (await free(other)).includes(7));
  });

  it("answers the concert's other dates from memory while one date is read again on its own", async () => {
    const { dates } = await createConcert(db.prisma, [1, 2]);
    const [stale, other] = [dates[0]!.id, dates[1]!.id];
    await board.findDate(stale);
    // Behind the board: both dates get a hold in SQL, with no event; only the first one's
    // version moves, so only it is read again. SQL would show both holds, the maps neither.
    await heldBehindTheBoard(stale, 6);
    await heldBehindTheBoard(other, 6);
    await redis.incr(versionKey(stale));
    await board.checkVersions();
    await board.checkVersions(); // the read of the stale date is now under way
    // Meanwhile the stale date answers from SQL (the hold shows) and the other from memory.
    reported.reads = {};
    const [staleNow, otherNow] = await Promise.all([free(stale), free(other)]);
    expect(staleNow).not.toContain(6);
    expect(otherNow).toContain(6);
    expect(reported).toEqual({ reads: { sql: 1, memory: 1 }, rereads: { dates: 1 } });
    await until(async () => !(await free(stale)).includes(6));
    expect(await free(other)).toContain(6);
  });

  it("reads a date again when Redis lost its counter (restart), and answers from SQL meanwhile", async () => {
    const { dates } = await createConcert(db.prisma, [1]);
    const dateId = dates[0]!.id;
    await redis.set(versionKey(dateId), "5");
    await board.findDate(dateId);
    expect(await free(dateId)).toContain(8);
    await heldBehindTheBoard(dateId, 8);
    await redis.del(versionKey(dateId));
    await board.checkVersions(); // 0 < 5: read again
    // While it reloads, reads go to SQL; afterwards the map has the row.
    expect(await free(dateId)).not.toContain(8);
    await until(async () => !(await free(dateId)).includes(8));
  });
});

describe("the answer stamp", () => {
  it("stays while a date's answers stay, and moves with a change, a lapsed hold and a re-read", async () => {
    const { concertId, dates } = await createConcert(db.prisma, [1]);
    const dateId = dates[0]!.id;
    const [alice] = (await createUsers(db.prisma, 1)).map((u) => queue.admit(u, concertId));
    await board.findDate(dateId);
    const loaded = board.answerStamp(dateId);
    expect(loaded).not.toBeNull();
    clock.advance(1_000);
    expect(board.answerStamp(dateId)).toBe(loaded);
    await reservations.reserveSeat(alice!, dateId, 5);
    const held = board.answerStamp(dateId);
    expect(held).not.toBe(loaded);
    expect(await free(dateId)).not.toContain(5);
    // (The hold's end is the database's NOW(3) + HOLD_SECONDS; the fake clock began at real time.)
    clock.advance(HOLD_SECONDS * 1000 - 5_000);
    expect(board.answerStamp(dateId)).toBe(held);
    clock.advance(10_000); // the hold lapsed: the seat reads free with no event
    const lapsed = board.answerStamp(dateId);
    expect(lapsed).not.toBe(held);
    expect(await free(dateId)).toContain(5);
    expect(board.answerStamp(dateId)).toBe(lapsed);
    // A lost event: while the date is read again it answers from SQL (no stamp); then a new map.
    await heldBehindTheBoard(dateId, 7);
    await redis.incr(versionKey(dateId));
    await board.checkVersions();
    await board.checkVersions();
    expect(board.answerStamp(dateId)).toBeNull();
    await until(async () => board.answerStamp(dateId) !== null);
    expect(board.answerStamp(dateId)).not.toBe(lapsed);
    expect(await free(dateId)).not.toContain(7);
  });
});

describe("the gate", () => {
  it("refuses a seat known taken without MySQL, at most GATE_MS; then the INSERT decides", async () => {
    const { concertId, dates } = await createConcert(db.prisma, [1]);
    const dateId = dates[0]!.id;
    const [alice, bob] = (await createUsers(db.prisma, 2)).map((u) => queue.admit(u, concertId));
    await board.findDate(dateId); // someone browsed the date on this instance
    const held = await reservations.reserveSeat(alice!, dateId, 5);
    expect(holds).toBe(1);
    // The seat is known taken: refused at once, no INSERT.
    expect(await errorCodeOf(reservations.reserveSeat(bob!, dateId, 5))).toBe("SEAT_UNAVAILABLE");
    expect(holds).toBe(1);
    // The cancel's announcement is lost: the map still has the seat HELD.
    await db.prisma
      .$executeRaw`UPDATE reservations SET status = 'CANCELLED', live = NULL WHERE id = ${held.id}`;
    clock.advance(GATE_MS - 1);
    expect(await errorCodeOf(reservations.reserveSeat(bob!, dateId, 5))).toBe("SEAT_UNAVAILABLE");
    expect(holds).toBe(1);
    // Past the window the request goes on to MySQL, which finds the seat free.
    clock.advance(2);
    expect(GATE_MS).toBeLessThan(HOLD_SECONDS * 1000);
    await expect(reservations.reserveSeat(bob!, dateId, 5)).resolves.toMatchObject({ seatNumber: 5 });
    expect(holds).toBe(2);
  });

  it("refreshes the window on each refusal by MySQL, so a burst's losers keep being refused cheaply", async () => {
    const { concertId, dates } = await createConcert(db.prisma, [1]);
    const dateId = dates[0]!.id;
    const users = (await createUsers(db.prisma, 3)).map((u) => queue.admit(u, concertId));
    await board.findDate(dateId);
    await reservations.reserveSeat(users[0]!, dateId, 9);
    clock.advance(GATE_MS + 1);
    expect(await errorCodeOf(reservations.reserveSeat(users[1]!, dateId, 9))).toBe("SEAT_UNAVAILABLE");
    expect(holds).toBe(2); // the window had passed: MySQL refused, and that refusal is news
    expect(await errorCodeOf(reservations.reserveSeat(users[2]!, dateId, 9))).toBe("SEAT_UNAVAILABLE");
    expect(holds).toBe(2);
  });
});

async function until(check: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
