// Demo data for a fresh database (SEED_DEMO_DATA=true): concerts with future dates whose 50
// seats are all free. Runs under the migration lock, so several instances never seed twice.
import type { PrismaClient } from "../src/platform/db/prisma.js";
import { addDays, businessToday } from "../src/platform/business-day.js";
import type { Clock } from "../src/platform/clock.js";
import type { Logger } from "../src/platform/logger.js";

export const SEATS_PER_DATE = 50;

/** Seat price by tier: 1–10 VIP, 11–30 R, 31–50 S (KRW). */
export function demoSeatPrice(number: number): number {
  if (number <= 10) return 165_000;
  if (number <= 30) return 132_000;
  return 99_000;
}

const DEMO_CONCERTS = [
  { title: "Spring Night Live", artist: "IU", venue: "Olympic Hall, Seoul", offsets: [7, 8, 14] },
  { title: "Permission to Dance on Stage", artist: "BTS", venue: "Jamsil Stadium, Seoul", offsets: [10, 11] },
  {
    title: "Jazz by the Han River",
    artist: "Seoul Jazz Ensemble",
    venue: "Sejong Center, Seoul",
    offsets: [21, 28],
  },
];

export async function seedDemoData(
  prisma: PrismaClient,
  timeZone: string,
  clock: Clock,
  log?: Logger,
): Promise<boolean> {
  if ((await prisma.concert.count()) > 0) return false;
  // Dates count from the business day of the app's clock (a test's FakeClock too).
  const today = businessToday(clock.now(), timeZone);
  for (const c of DEMO_CONCERTS) {
    const concert = await prisma.concert.create({
      data: { title: c.title, artist: c.artist, venue: c.venue },
    });
    for (const offset of c.offsets) {
      const date = addDays(today, offset);
      // Doors at 19:00 in Seoul (UTC+9) = 10:00 UTC.
      const startsAt = new Date(date.getTime() + 10 * 3_600_000);
      const concertDate = await prisma.concertDate.create({
        data: { concertId: concert.id, date, startsAt },
      });
      await prisma.seat.createMany({
        data: Array.from({ length: SEATS_PER_DATE }, (_, i) => ({
          concertDateId: concertDate.id,
          number: i + 1,
          price: demoSeatPrice(i + 1),
        })),
      });
    }
  }
  log?.info({ concerts: DEMO_CONCERTS.length }, "demo data seeded");
  return true;
}
