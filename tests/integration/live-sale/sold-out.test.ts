// The sold-out rule where it lives, in SQL against real MariaDB: a concert is sold out when it
// has a seat on a date from today on and none of those seats is free or held. The statement
// runs after every payment, so it must stay cheap on a concert of many dates.
import { beforeAll, describe, expect, it } from "vitest";
import { SoldOutRepository } from "../../../src/modules/live-sale/sale-stats.repository.js";
import type { Sql } from "../../../src/platform/db/sql.js";
import { oneConnectionDatabase, type seatFixtures } from "./seat-fixtures.js";

const TODAY = "2030-06-01";

describe("SoldOutRepository.futureSeats against MariaDB", () => {
  const db = oneConnectionDatabase();
  let sql: Sql;
  let repo: SoldOutRepository;
  let fixtures: ReturnType<typeof seatFixtures>;

  beforeAll(() => {
    ({ sql, fixtures } = db);
    repo = new SoldOutRepository(sql);
  });

  it("knows no future seat when the concert has only past dates or none", async () => {
    const c = await fixtures.concert();
    expect(await repo.futureSeats(c, TODAY)).toEqual({ any: false, open: false });
    await fixtures.date(c, "2030-05-31", 3);
    expect(await repo.futureSeats(c, TODAY)).toEqual({ any: false, open: false });
  });

  it("is open while a future seat is free or held, and not once every future seat is sold", async () => {
    const c = await fixtures.concert();
    const past = await fixtures.date(c, "2030-05-31", 2); // free, but past: never counts
    const a = await fixtures.date(c, TODAY, 2);
    const b = await fixtures.date(c, "2030-06-02", 1);
    expect(await repo.futureSeats(c, TODAY)).toEqual({ any: true, open: true });
    await fixtures.reserve(a.dateId, a.seatIds[0]!, "CONFIRMED");
    await fixtures.reserve(a.dateId, a.seatIds[1]!, "CONFIRMED");
    await fixtures.reserve(b.dateId, b.seatIds[0]!, "HELD");
    expect(await repo.futureSeats(c, TODAY)).toEqual({ any: true, open: true }); // held is not sold
    await sql.execute("UPDATE reservations SET status = 'CONFIRMED' WHERE seat_id = ?", [b.seatIds[0]]);
    expect(await repo.futureSeats(c, TODAY)).toEqual({ any: true, open: false });
    expect(past.seatIds).toHaveLength(2);
  });

  it("counts a cancelled seat as open again", async () => {
    const c = await fixtures.concert();
    const a = await fixtures.date(c, TODAY, 1);
    await fixtures.reserve(a.dateId, a.seatIds[0]!, "CANCELLED");
    expect(await repo.futureSeats(c, TODAY)).toEqual({ any: true, open: true });
  });

  it("knows a date open while one of its seats is free or held, and not once it is full or past", async () => {
    const c = await fixtures.concert();
    const past = await fixtures.date(c, "2030-05-31", 1);
    const d = await fixtures.date(c, TODAY, 2);
    expect(await repo.dateOpen(past.dateId, TODAY)).toBe(false);
    expect(await repo.dateOpen(d.dateId, TODAY)).toBe(true);
    await fixtures.reserve(d.dateId, d.seatIds[0]!, "CONFIRMED");
    await fixtures.reserve(d.dateId, d.seatIds[1]!, "HELD");
    expect(await repo.dateOpen(d.dateId, TODAY)).toBe(true);
    await sql.execute("UPDATE reservations SET status = 'CONFIRMED' WHERE seat_id = ?", [d.seatIds[1]]);
    expect(await repo.dateOpen(d.dateId, TODAY)).toBe(false);
  });

  it("flags a date sold out only when none of its seats is free or held, and only once", async () => {
    const c = await fixtures.concert();
    const d = await fixtures.date(c, TODAY, 2);
    const flag = async () =>
      Number(
        (
          await sql.select<{ f: number }>("SELECT sold_out AS f FROM concert_dates WHERE id = ?", [d.dateId])
        )[0]!.f,
      );
    expect(await repo.markDateSoldOut(d.dateId)).toBe(false); // both free
    await fixtures.reserve(d.dateId, d.seatIds[0]!, "CONFIRMED");
    await fixtures.reserve(d.dateId, d.seatIds[1]!, "HELD");
    expect(await repo.markDateSoldOut(d.dateId)).toBe(false); // one held: not sold yet
    expect(await flag()).toBe(0);
    await sql.execute("UPDATE reservations SET status = 'CONFIRMED' WHERE seat_id = ?", [d.seatIds[1]]);
    expect(await repo.markDateSoldOut(d.dateId)).toBe(true);
    expect(await flag()).toBe(1);
    expect(await repo.markDateSoldOut(d.dateId)).toBe(false); // already flagged
    const past = await fixtures.date(c, "2030-05-31", 1); // past but with a free seat: not flagged
    expect(await repo.markDateSoldOut(past.dateId)).toBe(false);
  });

  it("answers the same with or without the flags: a flagged date is full, an unflagged full one is walked through", async () => {
    const c = await fixtures.concert();
    const full = await fixtures.date(c, TODAY, 1);
    const fullUnflagged = await fixtures.date(c, "2030-06-02", 1);
    await fixtures.reserve(full.dateId, full.seatIds[0]!, "CONFIRMED");
    await fixtures.reserve(fullUnflagged.dateId, fullUnflagged.seatIds[0]!, "CONFIRMED");
    expect(await repo.markDateSoldOut(full.dateId)).toBe(true);
    expect(await repo.futureSeats(c, TODAY)).toEqual({ any: true, open: false });
    const open = await fixtures.date(c, "2030-06-03", 1);
    expect(await repo.futureSeats(c, TODAY)).toEqual({ any: true, open: true });
    expect(open.seatIds).toHaveLength(1);
  });

  it("skips the sold dates before the open one instead of reading their seats (200 sold dates, 10,000 seats)", async () => {
    const c = await fixtures.concert();
    const sold = await fixtures.soldDatesThenOpenOne(c, 200);
    const readRows = () =>
      fixtures.handlerReads(async () =>
        expect(await repo.futureSeats(c, TODAY)).toEqual({ any: true, open: true }),
      );
    // Unflagged, the search for an open seat reads through every sold seat before the open date.
    expect(await readRows()).toBeGreaterThan(10_000);
    for (const id of sold) expect(await repo.markDateSoldOut(id)).toBe(true);
    // Flagged, at most an index entry per sold date is read (or none, when the optimizer seeks
    // past them with the (concert_id, sold_out, date) index), not their 10,000 seats.
    expect(await readRows()).toBeLessThan(1_000);
  });

  it("reads a few rows, not every seat, while seats are left (200 dates, 10,000 seats)", async () => {
    const c = await fixtures.concert();
    for (let d = 0; d < 200; d++) {
      const day = new Date(Date.UTC(2030, 6, 1) + d * 86_400_000).toISOString().slice(0, 10);
      await fixtures.date(c, day, 50);
    }
    const read = await fixtures.handlerReads(async () =>
      expect(await repo.futureSeats(c, TODAY)).toEqual({ any: true, open: true }),
    );
    // A count over the concert's seats reads at least its 10,000 seats.
    expect(read).toBeLessThan(200);
  });
});

describe("SoldOutRepository.futureSeats with statistics taken before the data", () => {
  // The tables' statistics stay those of the empty tables, as at the start of a sale on a new
  // database until InnoDB recalculates them: MariaDB then planned the search as a scan of every
  // seat (the soak of 4 December).
  const db = oneConnectionDatabase(["concert_dates", "seats", "reservations"]);

  it("still skips the sold dates by the index instead of reading their seats (200 sold dates)", async () => {
    const { sql, fixtures } = db;
    const repo = new SoldOutRepository(sql);
    const c = await fixtures.concert();
    for (const id of await fixtures.soldDatesThenOpenOne(c, 200))
      expect(await repo.markDateSoldOut(id)).toBe(true);
    const read = await fixtures.handlerReads(async () =>
      expect(await repo.futureSeats(c, TODAY)).toEqual({ any: true, open: true }),
    );
    expect(read).toBeLessThan(1_000);
  });

  it("looks only at the paid date's own seats after a payment, not at every sale (10,000 sold seats)", async () => {
    const { sql, fixtures } = db;
    const repo = new SoldOutRepository(sql);
    const c = await fixtures.concert();
    const sold = await fixtures.soldDatesThenOpenOne(c, 200);
    const open = await fixtures.date(c, "2032-01-01", 50);
    await fixtures.buy(open.dateId, open.seatIds[0]!, 1000);
    // The open date: its first unsold seat ends the search. A full date: its 50 seats, each
    // looked up by the unique index of its sale. Materialising the concert's sales instead
    // reads every CONFIRMED reservation (10,001 here).
    const openRead = await fixtures.handlerReads(async () =>
      expect(await repo.dateOpen(open.dateId, TODAY)).toBe(true),
    );
    const fullRead = await fixtures.handlerReads(async () =>
      expect(await repo.dateOpen(sold[0]!, TODAY)).toBe(false),
    );
    const markRead = await fixtures.handlerReads(async () =>
      expect(await repo.markDateSoldOut(sold[1]!)).toBe(true),
    );
    // All three at once, so that a failure shows every count.
    expect({ openRead, fullRead, markRead }).toEqual({
      openRead: Math.min(openRead, 20),
      fullRead: Math.min(fullRead, 199),
      markRead: Math.min(markRead, 199),
    });
  });
});
