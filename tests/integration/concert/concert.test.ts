// Browsing against real MariaDB: which dates and seats are offered, and that each listing is
// a fixed number of SQL statements however many dates or seats there are.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConcertRepository } from "../../../src/modules/concert/concert.repository.js";
import { ConcertService } from "../../../src/modules/concert/concert.service.js";
import { ReservationRepository } from "../../../src/modules/reservation/reservation.repository.js";
import { ReservationService } from "../../../src/modules/reservation/reservation.service.js";
import { addDays, businessToday, dayIn } from "../../../src/platform/business-day.js";
import { systemClock } from "../../../src/platform/clock.js";
import type { PrismaClient } from "../../../src/platform/db/prisma.js";
import { errorCodeOf, FakeQueue, RecordingSeatEvents } from "../../unit/reservation/reservation-fakes.js";
import {
  createConcert,
  createUsers,
  lapse,
  openSeatDb,
  type SeatDb,
} from "../reservation/reservation-fixtures.js";

const TZ = "Asia/Seoul";
let db: SeatDb;
let queue: FakeQueue;
let concerts: ConcertService;
let reservations: ReservationService;

function servicesOn({ prisma, sql }: SeatDb) {
  return {
    concerts: new ConcertService({
      repository: new ConcertRepository(prisma),
      guard: queue,
      clock: systemClock,
      timeZone: TZ,
      seatChanges: () => {
        throw new Error("not used here");
      },
    }),
    reservations: new ReservationService({
      repository: new ReservationRepository({ prisma, sql, clock: systemClock }),
      guard: queue,
      pass: queue,
      events: new RecordingSeatEvents(),
      clock: systemClock,
      holdSeconds: 300,
      timeZone: TZ,
    }),
  };
}

beforeAll(async () => {
  db = await openSeatDb();
});
afterAll(async () => {
  await db.close();
});
beforeEach(() => {
  queue = new FakeQueue();
  ({ concerts, reservations } = servicesOn(db));
});

const day = (d: Date) => d.toISOString().slice(0, 10);

describe("availableDates", () => {
  it("lists future dates with their free-seat count, skipping past and fully booked dates", async () => {
    const { concertId, dates } = await createConcert(db.prisma, [-1, 0, 3, 5]);
    const users = await createUsers(db.prisma, 50);
    const [yesterday, today, inThree, inFive] = dates;
    const tokens = users.map((u) => queue.admit(u, concertId));
    await Promise.all(tokens.map((t, i) => reservations.reserveSeat(t, inThree!.id, i + 1)));
    const held = await reservations.myReservations(tokens[0]!);
    await lapse(db.prisma, held[0]!.id);
    await reservations.reserveSeat(tokens[0]!, inFive!.id, 1);

    const listed = await concerts.availableDates(tokens[1]!, concertId);
    expect(listed.map((d) => [d.id, d.availableSeatCount])).toEqual([
      [today!.id, 50],
      [inThree!.id, 1],
      [inFive!.id, 49],
    ]);
    expect(day(listed[0]!.date)).toBe(dayIn(new Date(), TZ));
    expect(listed.map((d) => d.id)).not.toContain(yesterday!.id);
  });

  it("treats a `from` in the past as today and a later one as a lower bound", async () => {
    const { concertId, dates } = await createConcert(db.prisma, [-2, 1, 4]);
    const [token] = (await createUsers(db.prisma, 1)).map((u) => queue.admit(u, concertId));
    const today = businessToday(new Date(), TZ);
    expect((await concerts.availableDates(token!, concertId, addDays(today, -30))).map((d) => d.id)).toEqual([
      dates[1]!.id,
      dates[2]!.id,
    ]);
    expect((await concerts.availableDates(token!, concertId, addDays(today, 2))).map((d) => d.id)).toEqual([
      dates[2]!.id,
    ]);
  });

  it("is NOT_FOUND for an unknown concert and FORBIDDEN with another concert's token", async () => {
    const a = await createConcert(db.prisma, [1]);
    const b = await createConcert(db.prisma, [1]);
    const [token] = (await createUsers(db.prisma, 1)).map((u) => queue.admit(u, a.concertId));
    expect(await errorCodeOf(concerts.availableDates(token!, "nope"))).toBe("NOT_FOUND");
    expect(await errorCodeOf(concerts.availableDates(token!, b.concertId))).toBe("FORBIDDEN");
    expect(await errorCodeOf(concerts.availableDates(null, a.concertId))).toBe("UNAUTHENTICATED");
  });
});

describe("availableSeats and seatMap", () => {
  it("lists free seats by number with prices, and an empty list when none is left", async () => {
    const { concertId, dates } = await createConcert(db.prisma, [2]);
    const date = dates[0]!.id;
    const tokens = (await createUsers(db.prisma, 50)).map((u) => queue.admit(u, concertId));
    await Promise.all(tokens.slice(0, 48).map((t, i) => reservations.reserveSeat(t, date, i + 2)));
    expect(await concerts.availableSeats(tokens[49]!, date)).toEqual([
      { number: 1, price: 165_000 },
      { number: 50, price: 99_000 },
    ]);
    await reservations.reserveSeat(tokens[48]!, date, 1);
    await reservations.reserveSeat(tokens[49]!, date, 50);
    expect(await concerts.availableSeats(tokens[0]!, date)).toEqual([]);
    expect(await concerts.availableDates(tokens[0]!, concertId)).toEqual([]);
  });

  it("offers nothing on a past date", async () => {
    const { concertId, dates } = await createConcert(db.prisma, [-1]);
    const [token] = (await createUsers(db.prisma, 1)).map((u) => queue.admit(u, concertId));
    expect(await concerts.availableSeats(token!, dates[0]!.id)).toEqual([]);
    expect(await errorCodeOf(reservations.reserveSeat(token!, dates[0]!.id, 1))).toBe("BAD_USER_INPUT");
  });

  it("shows all 50 seats as FREE, HELD or SOLD, a lapsed hold as FREE", async () => {
    const { concertId, dates } = await createConcert(db.prisma, [2]);
    const date = dates[0]!.id;
    const users = await createUsers(db.prisma, 3);
    const tokens = users.map((u) => queue.admit(u, concertId));
    await reservations.reserveSeat(tokens[0]!, date, 1);
    const sold = await reservations.reserveSeat(tokens[1]!, date, 2);
    await new ReservationRepository({ prisma: db.prisma, sql: db.sql, clock: systemClock }).confirmHeld(
      db.sql,
      sold.id,
      users[1]!,
    );
    const lapsed = await reservations.reserveSeat(tokens[2]!, date, 3);
    await lapse(db.prisma, lapsed.id);
    const map = await concerts.seatMap(tokens[0]!, date);
    expect(map).toHaveLength(50);
    expect(map.slice(0, 4).map((s) => s.status)).toEqual(["HELD", "SOLD", "FREE", "FREE"]);
    expect(map.map((s) => s.number)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(await errorCodeOf(concerts.seatMap(tokens[0]!, "unknown"))).toBe("NOT_FOUND");
  });

  it("lists every concert for anyone, a scheduled one with its opening", async () => {
    const { concertId } = await createConcert(db.prisma, [1]);
    const opensAt = new Date(Date.now() + 3_600_000);
    const scheduled = await db.prisma.concert.create({
      data: { title: "Later", artist: "Tester", venue: "Hall", saleOpensAt: opensAt },
    });
    const listed = await concerts.concerts();
    expect(listed).toContainEqual({
      id: concertId,
      title: "Test Live",
      artist: "Tester",
      venue: "Hall",
      saleOpensAt: null,
    });
    expect(listed.find((c) => c.id === scheduled.id)?.saleOpensAt?.getTime()).toBe(opensAt.getTime());
  });
});

describe("statement counts", () => {
  let single: SeatDb;
  beforeAll(async () => {
    // One pooled connection: every statement of a call goes through the session we count on.
    single = await openSeatDb({}, 1);
  });
  afterAll(async () => {
    await single.close();
  });

  /** Statements the server received for `work`, from the session's own Questions counter. */
  async function statementsOf(prisma: PrismaClient, work: () => Promise<unknown>): Promise<number> {
    const questions = async () =>
      Number((await prisma.$queryRaw<{ Value: string }[]>`SHOW SESSION STATUS LIKE 'Questions'`)[0]!.Value);
    const before = await questions();
    await work();
    const after = await questions();
    return after - before - 1; // the second SHOW counts itself
  }

  it("runs the same fixed number of statements for 1 date or 12, 50 seats or 600", async () => {
    const services = servicesOn(single);
    const small = await createConcert(single.prisma, [1]);
    const big = await createConcert(single.prisma, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const [user] = await createUsers(single.prisma, 1);
    const smallToken = queue.admit(user!, small.concertId);
    const bigToken = queue.admit(user!, big.concertId);

    const datesSmall = await statementsOf(single.prisma, () =>
      services.concerts.availableDates(smallToken, small.concertId),
    );
    const datesBig = await statementsOf(single.prisma, () =>
      services.concerts.availableDates(bigToken, big.concertId),
    );
    expect((await services.concerts.availableDates(bigToken, big.concertId)).length).toBe(12);
    expect([datesSmall, datesBig]).toEqual([2, 2]); // concert lookup + one GROUP BY for all dates

    const seats = await statementsOf(single.prisma, () =>
      services.concerts.availableSeats(bigToken, big.dates[0]!.id),
    );
    const map = await statementsOf(single.prisma, () =>
      services.concerts.seatMap(bigToken, big.dates[0]!.id),
    );
    expect([seats, map]).toEqual([2, 2]); // date lookup + one listing
  });
});
