import { describe, expect, it } from "vitest";
import { SEATS_PER_DATE, demoSeatPrice, seedDemoData } from "../../../prisma/seed.js";
import { FakeClock } from "../../../src/platform/clock.js";
import type { PrismaClient } from "../../../src/platform/db/prisma.js";
import { dayIn } from "../../../src/platform/business-day.js";

interface Row {
  [key: string]: unknown;
}

/** Just the three Prisma delegates the seed uses, kept in arrays. */
function fakePrisma(existingConcerts = 0) {
  const concerts: Row[] = [];
  const dates: Row[] = [];
  const seats: Row[] = [];
  let id = 0;
  const prisma = {
    concert: {
      count: async () => existingConcerts + concerts.length,
      create: async ({ data }: { data: Row }) => {
        const row = { id: `c${++id}`, ...data };
        concerts.push(row);
        return row;
      },
    },
    concertDate: {
      create: async ({ data }: { data: Row }) => {
        const row = { id: `d${++id}`, ...data };
        dates.push(row);
        return row;
      },
    },
    seat: {
      createMany: async ({ data }: { data: Row[] }) => {
        seats.push(...data);
        return { count: data.length };
      },
    },
  };
  return { prisma: prisma as unknown as PrismaClient, concerts, dates, seats };
}

describe("demoSeatPrice", () => {
  it("prices seats 1–10 at 165,000, 11–30 at 132,000 and 31–50 at 99,000 KRW", () => {
    const prices = Array.from({ length: SEATS_PER_DATE }, (_, i) => demoSeatPrice(i + 1));
    expect(prices.slice(0, 10).every((p) => p === 165_000)).toBe(true);
    expect(prices.slice(10, 30).every((p) => p === 132_000)).toBe(true);
    expect(prices.slice(30, 50).every((p) => p === 99_000)).toBe(true);
    expect(prices.every(Number.isInteger)).toBe(true);
  });
});

describe("seedDemoData", () => {
  // 00:30 on the 26th in Seoul while UTC is still on the 25th: days count from Seoul's today.
  const now = new Date("2026-11-25T15:30:00Z");

  it("creates concerts whose dates are all in the future with 50 priced seats each", async () => {
    const fake = fakePrisma();
    expect(await seedDemoData(fake.prisma, "Asia/Seoul", new FakeClock(now))).toBe(true);
    expect(fake.concerts.length).toBeGreaterThanOrEqual(2);
    const today = dayIn(now, "Asia/Seoul");
    for (const concert of fake.concerts) {
      const own = fake.dates.filter((d) => d["concertId"] === concert["id"]);
      expect(own.length).toBeGreaterThanOrEqual(2);
      for (const d of own) expect(dayIn(d["date"] as Date, "UTC") > today).toBe(true);
    }
    for (const d of fake.dates) {
      const own = fake.seats.filter((s) => s["concertDateId"] === d["id"]);
      expect(own.map((s) => s["number"])).toEqual(Array.from({ length: SEATS_PER_DATE }, (_, i) => i + 1));
      for (const s of own) expect(s["price"]).toBe(demoSeatPrice(s["number"] as number));
      // Doors at 19:00 in Seoul on the show's day.
      const startsAt = d["startsAt"] as Date;
      expect(dayIn(startsAt, "Asia/Seoul")).toBe(dayIn(d["date"] as Date, "UTC"));
      expect(
        new Intl.DateTimeFormat("en-GB", { timeZone: "Asia/Seoul", hour: "2-digit" }).format(startsAt),
      ).toBe("19");
    }
  });

  it("does nothing when the database already has concerts", async () => {
    const fake = fakePrisma(1);
    expect(await seedDemoData(fake.prisma, "Asia/Seoul", new FakeClock(now))).toBe(false);
    expect([fake.concerts, fake.dates, fake.seats].map((rows) => rows.length)).toEqual([0, 0, 0]);
  });
});
