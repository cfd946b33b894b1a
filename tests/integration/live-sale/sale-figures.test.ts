// The seat and money figures of saleStats where they are counted, in SQL against real MariaDB:
// exact whatever history the concert has (cancelled, expired and lapsed holds, past dates, other
// concerts), and read by index, so that a busy date's history is never read again. /metrics
// runs this statement on every scrape of every instance.
import { beforeAll, describe, expect, it } from "vitest";
import { SaleStatsRepository } from "../../../src/modules/live-sale/sale-stats.repository.js";
import { oneConnectionDatabase, type seatFixtures } from "./seat-fixtures.js";

const TODAY = "2030-06-01";

describe("SaleStatsRepository.seatFigures against MariaDB", () => {
  // Statistics of the empty tables, as on a young database: the statement must not depend on
  // the optimizer's estimates to read by index (bench/README.md, "Soaks of 4 December").
  const db = oneConnectionDatabase(["concert_dates", "seats", "reservations", "payments"]);
  let repo: SaleStatsRepository;
  let fixtures: ReturnType<typeof seatFixtures>;

  beforeAll(() => {
    repo = new SaleStatsRepository(db.sql);
    fixtures = db.fixtures;
  });

  it("is null for a concert that does not exist, and zero for one without seats", async () => {
    expect(await repo.seatFigures("01900000-0000-7000-8000-000000000000", TODAY)).toBeNull();
    const c = await fixtures.concert();
    expect(await repo.seatFigures(c, TODAY)).toMatchObject({
      seats: 0,
      held: 0,
      sold: 0,
      revenue: 0,
      paidLastMinute: 0,
    });
  });

  it("counts held and sold seats of the dates from today and every payment of the concert, and nothing else", async () => {
    const c = await fixtures.concert();
    const past = await fixtures.date(c, "2030-05-31", 2);
    const today = await fixtures.date(c, TODAY, 10);
    const later = await fixtures.date(c, "2030-06-02", 5);
    const s = today.seatIds;
    await fixtures.buy(past.dateId, past.seatIds[0]!, 3_000, 10); // revenue and last minute, not sold
    await fixtures.buy(today.dateId, s[0]!, 5_000, 5);
    await fixtures.buy(today.dateId, s[1]!, 7_000, 120); // paid two minutes ago
    await fixtures.buy(later.dateId, later.seatIds[0]!, 11_000, 0);
    await fixtures.reserve(today.dateId, s[2]!, "HELD");
    await fixtures.reserve(later.dateId, later.seatIds[1]!, "HELD");
    await fixtures.reserve(today.dateId, s[3]!, "HELD", -1); // lapsed, not swept yet: free
    await fixtures.reserve(today.dateId, s[4]!, "CANCELLED");
    await fixtures.reserve(today.dateId, s[5]!, "EXPIRED");
    await fixtures.reserve(past.dateId, past.seatIds[1]!, "HELD"); // held, but on a past date
    const other = await fixtures.concert(); // another concert's sale counts nowhere here
    const elsewhere = await fixtures.date(other, TODAY, 1);
    await fixtures.buy(elsewhere.dateId, elsewhere.seatIds[0]!, 100_000, 0);

    expect(await repo.seatFigures(c, TODAY)).toEqual({
      saleOpensAt: null,
      seats: 15,
      held: 2,
      sold: 3,
      revenue: 26_000,
      paidLastMinute: 3,
    });
    expect(await repo.seatFigures(other, TODAY)).toMatchObject({ seats: 1, sold: 1, revenue: 100_000 });
  });

  it("reads the live rows of the concert, not the history of its dates (2,000 cancelled holds)", async () => {
    const c = await fixtures.concert();
    const busy = await fixtures.date(c, TODAY, 50);
    for (let i = 0; i < 2_000; i++) await fixtures.reserve(busy.dateId, busy.seatIds[i % 50]!, "CANCELLED");
    await fixtures.buy(busy.dateId, busy.seatIds[0]!, 1_000);
    await fixtures.reserve(busy.dateId, busy.seatIds[1]!, "HELD");
    let figures: unknown;
    const read = await fixtures.handlerReads(async () => (figures = await repo.seatFigures(c, TODAY)));
    expect(figures).toMatchObject({ seats: 50, held: 1, sold: 1, revenue: 1_000 });
    // 50 seats, one hold, one sale and its payment, a few index probes: reading the history
    // again would be over 2,000 rows (the form before 4 December read it twice, 4,000).
    expect(read).toBeLessThan(200);
  });
});
