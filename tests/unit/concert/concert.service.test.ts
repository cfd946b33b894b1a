// Browsing rules with a fake repository and FakeClock: who may look, and which days count.
import { beforeEach, describe, expect, it } from "vitest";
import type { AvailableDateView, ConcertDateRef } from "../../../src/modules/concert/concert.model.js";
import { ConcertService, type ConcertReads } from "../../../src/modules/concert/concert.service.js";
import { FakeClock } from "../../../src/platform/clock.js";
import type { SeatChangedEvent } from "../../../src/platform/redis/topics.js";
import { errorCodeOf, FakeQueue } from "../reservation/reservation-fakes.js";

const DATES: Record<string, ConcertDateRef> = {
  past: { id: "past", concertId: "c1", date: new Date("2030-01-01T00:00:00Z") },
  soon: { id: "soon", concertId: "c1", date: new Date("2030-01-03T00:00:00Z") },
  other: { id: "other", concertId: "c2", date: new Date("2030-01-03T00:00:00Z") },
};

class FakeReads implements ConcertReads {
  datesAsked: Date[] = [];
  seatsAsked: string[] = [];
  async listConcerts() {
    return [{ id: "c1", title: "T", artist: "A", venue: "V", saleOpensAt: null }];
  }
  async concertExists(id: string) {
    return id === "c1" || id === "c2";
  }
  async findDate(id: string) {
    return DATES[id] ?? null;
  }
  async availableDates(_concertId: string, from: Date): Promise<AvailableDateView[]> {
    this.datesAsked.push(from);
    return [];
  }
  async availableSeats(id: string) {
    this.seatsAsked.push(id);
    return [{ number: 1, price: 10 }];
  }
  async seatMap() {
    return [];
  }
}

let clock: FakeClock;
let reads: FakeReads;
let queue: FakeQueue;
let service: ConcertService;
const subscribed: string[] = [];

beforeEach(() => {
  // 2030-01-01T15:30Z is already Jan 2 in Seoul.
  clock = new FakeClock("2030-01-01T15:30:00.000Z");
  reads = new FakeReads();
  queue = new FakeQueue();
  subscribed.length = 0;
  service = new ConcertService({
    repository: reads,
    guard: queue,
    clock,
    timeZone: "Asia/Seoul",
    seatChanges: (id) => {
      subscribed.push(id);
      return (async function* (): AsyncGenerator<SeatChangedEvent> {})();
    },
  });
});

describe("ConcertService", () => {
  it("starts availableDates at today in TZ_BUSINESS, even when `from` is earlier", async () => {
    const token = queue.admit("u", "c1");
    await service.availableDates(token, "c1");
    await service.availableDates(token, "c1", new Date("2029-06-01T00:00:00Z"));
    await service.availableDates(token, "c1", new Date("2030-02-01T00:00:00Z"));
    expect(reads.datesAsked.map((d) => d.toISOString().slice(0, 10))).toEqual([
      "2030-01-02",
      "2030-01-02",
      "2030-02-01",
    ]);
  });

  it("returns no seats for a past date without asking the database", async () => {
    const token = queue.admit("u", "c1");
    expect(await service.availableSeats(token, "past")).toEqual([]);
    expect(await service.availableSeats(token, "soon")).toEqual([{ number: 1, price: 10 }]);
    expect(reads.seatsAsked).toEqual(["soon"]);
  });

  it("demands an ACTIVE token for the date's own concert", async () => {
    const token = queue.admit("u", "c1");
    expect(await errorCodeOf(service.availableSeats(null, "soon"))).toBe("UNAUTHENTICATED");
    expect(await errorCodeOf(service.availableSeats(token, "missing"))).toBe("NOT_FOUND");
    expect(await errorCodeOf(service.seatMap(token, "other"))).toBe("FORBIDDEN");
    expect(await errorCodeOf(service.availableDates(token, "c2"))).toBe("FORBIDDEN");
    expect(await errorCodeOf(service.availableDates(token, "c9"))).toBe("NOT_FOUND");
    queue.setState(token, "WAITING");
    expect(await errorCodeOf(service.seatMap(token, "soon"))).toBe("QUEUE_NOT_ADMITTED");
  });

  it("subscribes to seat changes only after the token passed", async () => {
    const token = queue.admit("u", "c1");
    expect(await errorCodeOf(service.seatUpdates("forged", "soon"))).toBe("UNAUTHENTICATED");
    expect(await errorCodeOf(service.seatUpdates(token, "other"))).toBe("FORBIDDEN");
    expect(subscribed).toEqual([]);
    await service.seatUpdates(token, "soon");
    expect(subscribed).toEqual(["soon"]);
  });

  it("stamps a seat read for the answer cache only after the read's own checks", async () => {
    const token = queue.admit("u", "c1");
    const stamped = new ConcertService({
      repository: reads,
      guard: queue,
      clock,
      timeZone: "Asia/Seoul",
      seatChanges: () => (async function* (): AsyncGenerator<SeatChangedEvent> {})(),
      stamps: { answerStamp: (id) => (id === "soon" || id === "past" ? `map-of-${id}` : null) },
    });
    expect(await errorCodeOf(stamped.seatReadStamp(null, "soon"))).toBe("UNAUTHENTICATED");
    expect(await errorCodeOf(stamped.seatReadStamp(token, "missing"))).toBe("NOT_FOUND");
    expect(await errorCodeOf(stamped.seatReadStamp(token, "other"))).toBe("FORBIDDEN");
    // A past date answers no seats whatever its map says: the day is part of the stamp.
    expect(await stamped.seatReadStamp(token, "soon")).toBe("map-of-soon.open");
    expect(await stamped.seatReadStamp(token, "past")).toBe("map-of-past.past");
    // Without a stamp from the maps (the date answers from SQL), nothing is kept.
    expect(await service.seatReadStamp(token, "soon")).toBeNull();
    queue.setState(token, "WAITING");
    expect(await errorCodeOf(stamped.seatReadStamp(token, "soon"))).toBe("QUEUE_NOT_ADMITTED");
    expect(reads.seatsAsked).toEqual([]);
  });

  it("lists concerts without a token", async () => {
    expect(await service.concerts()).toHaveLength(1);
  });
});
