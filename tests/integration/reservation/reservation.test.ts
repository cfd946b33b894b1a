// Seat holds against real MariaDB: the unique "live" indexes and conditional UPDATEs decide
// every race; lapse is decided by the database clock. The queue is faked (tests/unit).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConcertRepository } from "../../../src/modules/concert/concert.repository.js";
import { ConcertService } from "../../../src/modules/concert/concert.service.js";
import { ReservationRepository } from "../../../src/modules/reservation/reservation.repository.js";
import { ReservationService } from "../../../src/modules/reservation/reservation.service.js";
import { systemClock } from "../../../src/platform/clock.js";
import { errorCodeOf, FakeQueue, RecordingSeatEvents } from "../../unit/reservation/reservation-fakes.js";
import {
  createConcert,
  createUsers,
  lapse,
  liveRowsOfSeat,
  openSeatDb,
  type SeatDb,
} from "./reservation-fixtures.js";

let db: SeatDb;
let queue: FakeQueue;
let events: RecordingSeatEvents;
let reservations: ReservationService;
let concerts: ConcertService;
let repository: ReservationRepository;

beforeAll(async () => {
  db = await openSeatDb();
  repository = new ReservationRepository({ prisma: db.prisma, sql: db.sql, clock: systemClock });
});
afterAll(async () => {
  await db.close();
});
beforeEach(() => {
  queue = new FakeQueue();
  events = new RecordingSeatEvents();
  reservations = new ReservationService({
    repository,
    guard: queue,
    pass: queue,
    events,
    clock: systemClock,
    holdSeconds: 300,
    timeZone: "Asia/Seoul",
  });
  concerts = new ConcertService({
    repository: new ConcertRepository(db.prisma),
    guard: queue,
    clock: systemClock,
    timeZone: "Asia/Seoul",
    seatChanges: () => {
      throw new Error("not used here");
    },
  });
});

async function setup(users: number, offsets = [7, 8]) {
  const concert = await createConcert(db.prisma, offsets);
  const userIds = await createUsers(db.prisma, users);
  const tokens = userIds.map((u) => queue.admit(u, concert.concertId));
  return { ...concert, userIds, tokens, date: concert.dates[0]!.id };
}

describe("holding a seat", () => {
  it("holds a free seat for HOLD_SECONDS by the database clock and extends the holder's pass to it", async () => {
    const { tokens, date } = await setup(1);
    const before = Date.now();
    const held = await reservations.reserveSeat(tokens[0]!, date, 7);
    expect(held).toMatchObject({ seatNumber: 7, concertDateId: date, status: "HELD", price: 165_000 });
    expect(held.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 299_000);
    expect(held.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 301_000);
    expect(queue.extended).toEqual([{ userId: expect.any(String), until: held.expiresAt }]);
    expect(events.published).toEqual([{ concertDateId: date, number: 7, status: "HELD" }]);
    expect((await concerts.availableSeats(tokens[0]!, date)).map((s) => s.number)).not.toContain(7);
  });

  it("refuses a seat held by someone else with SEAT_UNAVAILABLE and changes nothing", async () => {
    const { tokens, date } = await setup(2);
    await reservations.reserveSeat(tokens[0]!, date, 1);
    expect(await errorCodeOf(reservations.reserveSeat(tokens[1]!, date, 1))).toBe("SEAT_UNAVAILABLE");
    expect(await liveRowsOfSeat(db.prisma, date, 1)).toBe(1);
  });

  it("refuses a second seat on the same date with ALREADY_RESERVED but allows another date", async () => {
    const { tokens, dates } = await setup(1);
    await reservations.reserveSeat(tokens[0]!, dates[0]!.id, 1);
    expect(await errorCodeOf(reservations.reserveSeat(tokens[0]!, dates[0]!.id, 2))).toBe("ALREADY_RESERVED");
    await expect(reservations.reserveSeat(tokens[0]!, dates[1]!.id, 2)).resolves.toMatchObject({
      status: "HELD",
    });
  });

  it("gives exactly one of 60 concurrent holds of one seat, and SEAT_UNAVAILABLE to all others", async () => {
    const { tokens, date } = await setup(60);
    const results = await Promise.allSettled(tokens.map((t) => reservations.reserveSeat(t, date, 25)));
    const won = results.filter((r) => r.status === "fulfilled");
    const codes = results.flatMap((r) =>
      r.status === "rejected" ? [(r.reason as { code?: string }).code] : [],
    );
    expect(won).toHaveLength(1);
    expect(codes).toEqual(Array(59).fill("SEAT_UNAVAILABLE"));
    expect(await liveRowsOfSeat(db.prisma, date, 25)).toBe(1);
  });

  it("gives one user racing for ten seats of one date exactly one", async () => {
    const { tokens, date } = await setup(1);
    const seats = Array.from({ length: 10 }, (_, i) => i + 11);
    const results = await Promise.allSettled(seats.map((n) => reservations.reserveSeat(tokens[0]!, date, n)));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const codes = results.flatMap((r) =>
      r.status === "rejected" ? [(r.reason as { code?: string }).code] : [],
    );
    expect(codes).toEqual(Array(9).fill("ALREADY_RESERVED"));
    const mine = await reservations.myReservations(tokens[0]!);
    expect(mine.filter((r) => r.status === "HELD")).toHaveLength(1);
  });

  it("checks in order: date (NOT_FOUND), then the token's concert (FORBIDDEN), then seat and day (BAD_USER_INPUT)", async () => {
    const { tokens, date, dates } = await setup(1, [7, -1]);
    const other = await createConcert(db.prisma, [7]);
    expect(await errorCodeOf(reservations.reserveSeat(null, date, 1))).toBe("UNAUTHENTICATED");
    expect(await errorCodeOf(reservations.reserveSeat(tokens[0]!, "no-such-date", 1))).toBe("NOT_FOUND");
    expect(await errorCodeOf(reservations.reserveSeat(tokens[0]!, other.dates[0]!.id, 1))).toBe("FORBIDDEN");
    expect(await errorCodeOf(reservations.reserveSeat(tokens[0]!, date, 0))).toBe("BAD_USER_INPUT");
    expect(await errorCodeOf(reservations.reserveSeat(tokens[0]!, date, 51))).toBe("BAD_USER_INPUT");
    expect(await errorCodeOf(reservations.reserveSeat(tokens[0]!, dates[1]!.id, 1))).toBe("BAD_USER_INPUT");
    queue.setState(tokens[0]!, "WAITING");
    expect(await errorCodeOf(reservations.reserveSeat(tokens[0]!, date, 1))).toBe("QUEUE_NOT_ADMITTED");
  });

  it("undoes the hold when the queue pass cannot be extended", async () => {
    const { tokens, date } = await setup(1);
    queue.failNextExtend = true;
    await expect(reservations.reserveSeat(tokens[0]!, date, 3)).rejects.toThrow("redis is down");
    expect(await liveRowsOfSeat(db.prisma, date, 3)).toBe(0);
    expect(events.published.at(-1)).toEqual({ concertDateId: date, number: 3, status: "FREE" });
  });
});

describe("expiry", () => {
  it("offers a lapsed hold's seat again at once, lets another user take it, and the first reads EXPIRED", async () => {
    const { tokens, date } = await setup(2);
    const first = await reservations.reserveSeat(tokens[0]!, date, 9);
    await lapse(db.prisma, first.id);
    expect((await concerts.availableSeats(tokens[1]!, date)).map((s) => s.number)).toContain(9);
    expect((await reservations.myReservations(tokens[0]!))[0]).toMatchObject({
      id: first.id,
      status: "EXPIRED",
    });
    const second = await reservations.reserveSeat(tokens[1]!, date, 9);
    expect(second.status).toBe("HELD");
    expect((await reservations.myReservations(tokens[0]!))[0]).toMatchObject({
      id: first.id,
      status: "EXPIRED",
    });
    expect(await liveRowsOfSeat(db.prisma, date, 9)).toBe(1);
  });

  it("lets a user whose hold lapsed hold another seat on that date, and announces the old seat FREE", async () => {
    const { tokens, date } = await setup(1);
    const first = await reservations.reserveSeat(tokens[0]!, date, 4);
    await lapse(db.prisma, first.id);
    await reservations.reserveSeat(tokens[0]!, date, 5);
    expect(events.published).toContainEqual({ concertDateId: date, number: 4, status: "FREE" });
  });

  it("refused for a seat someone else holds, still frees and announces the caller's own lapsed hold", async () => {
    const { tokens, date } = await setup(2);
    const mine = await reservations.reserveSeat(tokens[0]!, date, 6);
    await reservations.reserveSeat(tokens[1]!, date, 7);
    await lapse(db.prisma, mine.id);
    expect(await errorCodeOf(reservations.reserveSeat(tokens[0]!, date, 7))).toBe("SEAT_UNAVAILABLE");
    expect(events.published).toContainEqual({ concertDateId: date, number: 6, status: "FREE" });
    expect(await liveRowsOfSeat(db.prisma, date, 6)).toBe(0);
    expect(await liveRowsOfSeat(db.prisma, date, 7)).toBe(1);
    // The retired hold was already EXPIRED for every reader; the other user's hold is untouched.
    const [after] = await reservations.myReservations(tokens[0]!);
    expect(after).toMatchObject({ id: mine.id, status: "EXPIRED" });
  });

  it("tries the INSERT once more after retiring a lapsed hold, and that answer is final", async () => {
    const { tokens, date } = await setup(3);
    const old = await reservations.reserveSeat(tokens[0]!, date, 8);
    await lapse(db.prisma, old.id);
    // Two callers race for the lapsed seat: both may retire, exactly one holds it.
    const outcomes = await Promise.all(
      [tokens[1]!, tokens[2]!].map((t) =>
        reservations.reserveSeat(t, date, 8).then(
          () => "HELD",
          (e: unknown) => errorCodeOf(Promise.reject(e)),
        ),
      ),
    );
    expect(outcomes.sort()).toEqual(["HELD", "SEAT_UNAVAILABLE"]);
    expect(await liveRowsOfSeat(db.prisma, date, 8)).toBe(1);
  });

  it("sweeps each lapsed hold exactly once even with several sweepers at once, and never a sold seat", async () => {
    const { tokens, userIds, date } = await setup(3);
    const lapsedA = await reservations.reserveSeat(tokens[0]!, date, 1);
    const sold = await reservations.reserveSeat(tokens[1]!, date, 2);
    const live = await reservations.reserveSeat(tokens[2]!, date, 3);
    expect(await repository.confirmHeld(db.sql, sold.id, userIds[1]!)).toBe("CONFIRMED");
    await lapse(db.prisma, lapsedA.id);
    await lapse(db.prisma, sold.id);
    events.published.length = 0;
    const counts = await Promise.all([1, 2, 3, 4].map(() => reservations.sweepLapsedHolds()));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
    expect(events.published).toEqual([{ concertDateId: date, number: 1, status: "FREE" }]);
    const statuses = await db.prisma.reservation.findMany({
      where: { id: { in: [lapsedA.id, sold.id, live.id] } },
      select: { id: true, status: true, live: true },
    });
    expect(Object.fromEntries(statuses.map((s) => [s.id, [s.status, s.live]]))).toEqual({
      [lapsedA.id]: ["EXPIRED", null],
      [sold.id]: ["CONFIRMED", true],
      [live.id]: ["HELD", true],
    });
  });
});

describe("cancel, pay and list", () => {
  it("cancel frees the seat at once; cancelling again is RESERVATION_EXPIRED; another user's is NOT_FOUND", async () => {
    const { tokens, date } = await setup(2);
    const held = await reservations.reserveSeat(tokens[0]!, date, 30);
    expect(await errorCodeOf(reservations.cancelReservation(tokens[1]!, held.id))).toBe("NOT_FOUND");
    const cancelled = await reservations.cancelReservation(tokens[0]!, held.id);
    expect(cancelled).toMatchObject({ id: held.id, status: "CANCELLED" });
    expect(events.published.at(-1)).toEqual({ concertDateId: date, number: 30, status: "FREE" });
    expect((await concerts.availableSeats(tokens[1]!, date)).map((s) => s.number)).toContain(30);
    expect(await errorCodeOf(reservations.cancelReservation(tokens[0]!, held.id))).toBe(
      "RESERVATION_EXPIRED",
    );
    expect(await errorCodeOf(reservations.cancelReservation(tokens[0]!, "malformed"))).toBe("NOT_FOUND");
  });

  it("cancelling a lapsed hold is RESERVATION_EXPIRED and a paid one ALREADY_PAID", async () => {
    const { tokens, userIds, dates } = await setup(1);
    const lapsed = await reservations.reserveSeat(tokens[0]!, dates[0]!.id, 1);
    await lapse(db.prisma, lapsed.id);
    expect(await errorCodeOf(reservations.cancelReservation(tokens[0]!, lapsed.id))).toBe(
      "RESERVATION_EXPIRED",
    );
    const paid = await reservations.reserveSeat(tokens[0]!, dates[1]!.id, 1);
    await repository.confirmHeld(db.sql, paid.id, userIds[0]!);
    expect(await errorCodeOf(reservations.cancelReservation(tokens[0]!, paid.id))).toBe("ALREADY_PAID");
  });

  it("confirmHeld decides once: CONFIRMED, then ALREADY_PAID; lapsed is EXPIRED; another user's NOT_FOUND", async () => {
    const { tokens, userIds, date, dates } = await setup(2);
    const held = await reservations.reserveSeat(tokens[0]!, date, 8);
    expect(await repository.confirmHeld(db.sql, held.id, userIds[1]!)).toBe("NOT_FOUND");
    const racing = await Promise.all(
      [1, 2, 3].map(() => repository.confirmHeld(db.sql, held.id, userIds[0]!)),
    );
    expect(racing.sort()).toEqual(["ALREADY_PAID", "ALREADY_PAID", "CONFIRMED"]);
    const lapsed = await reservations.reserveSeat(tokens[0]!, dates[1]!.id, 8);
    await lapse(db.prisma, lapsed.id);
    expect(await repository.confirmHeld(db.sql, lapsed.id, userIds[0]!)).toBe("EXPIRED");
    expect(await repository.findOwned(held.id, userIds[0]!)).toMatchObject({
      status: "CONFIRMED",
      seatNumber: 8,
      concertDateId: date,
    });
  });

  it("never offers a sold seat, even after its hold time has passed", async () => {
    const { tokens, userIds, date } = await setup(2);
    const held = await reservations.reserveSeat(tokens[0]!, date, 12);
    await repository.confirmHeld(db.sql, held.id, userIds[0]!);
    await lapse(db.prisma, held.id);
    expect((await concerts.availableSeats(tokens[1]!, date)).map((s) => s.number)).not.toContain(12);
    expect((await concerts.seatMap(tokens[1]!, date))[11]).toEqual({
      number: 12,
      price: 99_000,
      status: "SOLD",
    });
    expect(await errorCodeOf(reservations.reserveSeat(tokens[1]!, date, 12))).toBe("SEAT_UNAVAILABLE");
  });

  it("afterPayment announces the sold seat and releases the user's other holds of that concert only", async () => {
    const { tokens, userIds, dates } = await setup(1, [7, 8, 9]);
    const paid = await reservations.reserveSeat(tokens[0]!, dates[0]!.id, 1);
    const other = await reservations.reserveSeat(tokens[0]!, dates[1]!.id, 2);
    const lapsed = await reservations.reserveSeat(tokens[0]!, dates[2]!.id, 3);
    await lapse(db.prisma, lapsed.id);
    const elsewhere = await createConcert(db.prisma, [7]);
    const otherToken = queue.admit(userIds[0]!, elsewhere.concertId);
    const keep = await reservations.reserveSeat(otherToken, elsewhere.dates[0]!.id, 4);
    await repository.confirmHeld(db.sql, paid.id, userIds[0]!);
    events.published.length = 0;
    await reservations.afterPayment(paid);
    expect(events.published).toEqual(
      expect.arrayContaining([
        { concertDateId: dates[0]!.id, number: 1, status: "SOLD" },
        { concertDateId: dates[1]!.id, number: 2, status: "FREE" },
        { concertDateId: dates[2]!.id, number: 3, status: "FREE" },
      ]),
    );
    expect(events.published).toHaveLength(3);
    const byId = new Map((await reservations.myReservations(tokens[0]!)).map((r) => [r.id, r.status]));
    expect(byId.get(paid.id)).toBe("CONFIRMED");
    expect(byId.get(other.id)).toBe("CANCELLED");
    expect(byId.get(lapsed.id)).toBe("EXPIRED");
    expect(byId.get(keep.id)).toBe("HELD");
  });

  it("lists the caller's reservations across concerts, newest first", async () => {
    const { tokens, userIds, dates } = await setup(1);
    const a = await reservations.reserveSeat(tokens[0]!, dates[0]!.id, 40);
    const b = await reservations.reserveSeat(tokens[0]!, dates[1]!.id, 41);
    const elsewhere = await createConcert(db.prisma, [7]);
    const c = await reservations.reserveSeat(
      queue.admit(userIds[0]!, elsewhere.concertId),
      elsewhere.dates[0]!.id,
      42,
    );
    const listed = await reservations.myReservations(tokens[0]!);
    expect(listed.map((r) => r.id)).toEqual([c.id, b.id, a.id]);
    expect(listed[2]).toMatchObject({ seatNumber: 40, price: 99_000, concertId: a.concertId });
  });
});
