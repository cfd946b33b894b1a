// The seat-hold rules with in-memory fakes and a FakeClock (no database, no sleeping).
import { beforeEach, describe, expect, it } from "vitest";
import { ReservationService } from "../../../src/modules/reservation/reservation.service.js";
import { FakeClock } from "../../../src/platform/clock.js";
import { errorCodeOf, FakeQueue, RecordingSeatEvents } from "./reservation-fakes.js";
import { MemoryReservationStore } from "./reservation-memory-store.js";

const HOLD_SECONDS = 300;
// 2030-01-01 23:30 in Seoul (UTC+9): "today" there is 2030-01-01.
const START = "2030-01-01T14:30:00.000Z";

let clock: FakeClock;
let store: MemoryReservationStore;
let queue: FakeQueue;
let events: RecordingSeatEvents;
let service: ReservationService;

beforeEach(() => {
  clock = new FakeClock(START);
  store = new MemoryReservationStore(clock);
  store.addDate("d-today", "c1", "2030-01-01");
  store.addDate("d-next", "c1", "2030-01-05");
  store.addDate("d-past", "c1", "2029-12-31");
  store.addDate("d-other", "c2", "2030-01-05");
  queue = new FakeQueue();
  events = new RecordingSeatEvents();
  service = new ReservationService({
    repository: store,
    guard: queue,
    pass: queue,
    events,
    clock,
    holdSeconds: HOLD_SECONDS,
    timeZone: "Asia/Seoul",
  });
});

describe("reserveSeat", () => {
  it("holds the seat, announces it HELD and extends the holder's pass to the hold's end", async () => {
    const token = queue.admit("alice", "c1");
    const held = await service.reserveSeat(token, "d-next", 5);
    expect(held).toMatchObject({ status: "HELD", seatNumber: 5, price: 5000, concertDateId: "d-next" });
    expect(held.expiresAt.toISOString()).toBe("2030-01-01T14:35:00.000Z");
    expect(queue.extended).toEqual([{ userId: "alice", until: held.expiresAt }]);
    expect(events.published).toEqual([{ concertDateId: "d-next", number: 5, status: "HELD" }]);
  });

  it("treats a date that is today in TZ_BUSINESS as bookable and yesterday as past", async () => {
    const token = queue.admit("alice", "c1");
    await expect(service.reserveSeat(token, "d-today", 1)).resolves.toMatchObject({ status: "HELD" });
    expect(await errorCodeOf(service.reserveSeat(token, "d-past", 1))).toBe("BAD_USER_INPUT");
    clock.advance(60 * 60_000); // 00:30 on Jan 2 in Seoul: Jan 1 is now past
    const bob = queue.admit("bob", "c1");
    expect(await errorCodeOf(service.reserveSeat(bob, "d-today", 2))).toBe("BAD_USER_INPUT");
  });

  it("authenticates first, then finds the date, then demands ACTIVE for the date's concert", async () => {
    const token = queue.admit("alice", "c1");
    expect(await errorCodeOf(service.reserveSeat("forged", "nope", 99))).toBe("UNAUTHENTICATED");
    expect(await errorCodeOf(service.reserveSeat(token, "nope", 99))).toBe("NOT_FOUND");
    expect(await errorCodeOf(service.reserveSeat(token, "d-other", 99))).toBe("FORBIDDEN");
    expect(await errorCodeOf(service.reserveSeat(token, "d-next", 51))).toBe("BAD_USER_INPUT");
    expect(await errorCodeOf(service.reserveSeat(token, "d-next", 1.5))).toBe("BAD_USER_INPUT");
    queue.setState(token, "EXPIRED");
    expect(await errorCodeOf(service.reserveSeat(token, "d-next", 1))).toBe("QUEUE_TOKEN_EXPIRED");
    expect(store.rows).toHaveLength(0);
  });

  it("refuses a held seat to others and a second seat on one date to the same user", async () => {
    const alice = queue.admit("alice", "c1");
    const bob = queue.admit("bob", "c1");
    await service.reserveSeat(alice, "d-next", 1);
    expect(await errorCodeOf(service.reserveSeat(bob, "d-next", 1))).toBe("SEAT_UNAVAILABLE");
    expect(await errorCodeOf(service.reserveSeat(alice, "d-next", 2))).toBe("ALREADY_RESERVED");
    expect(events.published).toHaveLength(1);
  });

  it("lets another user take a seat whose hold lapsed, and the first hold reads EXPIRED", async () => {
    const alice = queue.admit("alice", "c1");
    const bob = queue.admit("bob", "c1");
    const first = await service.reserveSeat(alice, "d-next", 7);
    clock.advance(HOLD_SECONDS * 1000 - 1);
    expect(await errorCodeOf(service.reserveSeat(bob, "d-next", 7))).toBe("SEAT_UNAVAILABLE");
    clock.advance(1);
    expect((await service.myReservations(alice))[0]).toMatchObject({ id: first.id, status: "EXPIRED" });
    await expect(service.reserveSeat(bob, "d-next", 7)).resolves.toMatchObject({ status: "HELD" });
    expect((await service.myReservations(alice))[0]).toMatchObject({ id: first.id, status: "EXPIRED" });
  });

  it("announces the user's own lapsed seat FREE when they hold another seat of that date", async () => {
    const alice = queue.admit("alice", "c1");
    await service.reserveSeat(alice, "d-next", 3);
    clock.advance(HOLD_SECONDS * 1000);
    await service.reserveSeat(alice, "d-next", 4);
    expect(events.published.slice(-2)).toEqual([
      { concertDateId: "d-next", number: 3, status: "FREE" },
      { concertDateId: "d-next", number: 4, status: "HELD" },
    ]);
  });

  it("gives the seat back when the queue pass cannot be extended, and reports the failure", async () => {
    const alice = queue.admit("alice", "c1");
    queue.failNextExtend = true;
    await expect(service.reserveSeat(alice, "d-next", 9)).rejects.toThrow("redis is down");
    expect(store.rows[0]).toMatchObject({ status: "CANCELLED", live: false });
    expect(events.published.at(-1)).toEqual({ concertDateId: "d-next", number: 9, status: "FREE" });
  });
});

describe("reserveSeat in a burst on one instance", () => {
  /** Holds every INSERT until `release()`, recording whose it was. */
  function slowInserts() {
    const inserts: string[] = [];
    const hold = store.hold.bind(store);
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    store.hold = async (request) => {
      inserts.push(request.userId);
      await released;
      return hold(request);
    };
    return { inserts, release };
  }
  /** Lets every request of the burst reach its INSERT (microtasks and I/O callbacks, no timer). */
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it("sends one INSERT per seat while it is in flight and refuses the others SEAT_UNAVAILABLE", async () => {
    const { inserts, release } = slowInserts();
    const tokens = ["alice", "bob", "carol"].map((user) => queue.admit(user, "c1"));
    const results = tokens.map((token) => service.reserveSeat(token, "d-next", 7));
    await settle();
    release();
    await expect(results[0]).resolves.toMatchObject({ status: "HELD", userId: "alice" });
    expect(await errorCodeOf(results[1]!)).toBe("SEAT_UNAVAILABLE");
    expect(await errorCodeOf(results[2]!)).toBe("SEAT_UNAVAILABLE");
    expect(inserts).toEqual(["alice"]);
    expect(events.published).toEqual([{ concertDateId: "d-next", number: 7, status: "HELD" }]);
  });

  it("lets the next request through to its own INSERT when the first did not take the seat", async () => {
    const alice = queue.admit("alice", "c1");
    await service.reserveSeat(alice, "d-next", 1);
    const { inserts, release } = slowInserts();
    const first = service.reserveSeat(alice, "d-next", 7); // ALREADY_RESERVED: seat 7 stays free
    const second = service.reserveSeat(queue.admit("bob", "c1"), "d-next", 7);
    await settle();
    release();
    expect(await errorCodeOf(first)).toBe("ALREADY_RESERVED");
    await expect(second).resolves.toMatchObject({ status: "HELD", userId: "bob", seatNumber: 7 });
    expect(inserts).toEqual(["alice", "bob"]);
  });
});

describe("cancelReservation", () => {
  it("frees a held seat at once and returns it CANCELLED", async () => {
    const alice = queue.admit("alice", "c1");
    const held = await service.reserveSeat(alice, "d-next", 2);
    queue.setState(alice, "EXPIRED"); // an expired token may still cancel
    await expect(service.cancelReservation(alice, held.id)).resolves.toMatchObject({ status: "CANCELLED" });
    expect(events.published.at(-1)).toEqual({ concertDateId: "d-next", number: 2, status: "FREE" });
    const bob = queue.admit("bob", "c1");
    await expect(service.reserveSeat(bob, "d-next", 2)).resolves.toMatchObject({ status: "HELD" });
  });

  it("answers RESERVATION_EXPIRED for a lapsed or cancelled hold, ALREADY_PAID when paid, NOT_FOUND for others'", async () => {
    const alice = queue.admit("alice", "c1");
    const bob = queue.admit("bob", "c1");
    const lapsed = await service.reserveSeat(alice, "d-next", 2);
    expect(await errorCodeOf(service.cancelReservation(bob, lapsed.id))).toBe("NOT_FOUND");
    clock.advance(HOLD_SECONDS * 1000);
    expect(await errorCodeOf(service.cancelReservation(alice, lapsed.id))).toBe("RESERVATION_EXPIRED");
    const paid = await service.reserveSeat(alice, "d-today", 2);
    await store.confirmHeld(null, paid.id, "alice");
    expect(await errorCodeOf(service.cancelReservation(alice, paid.id))).toBe("ALREADY_PAID");
    expect(await errorCodeOf(service.cancelReservation(null, paid.id))).toBe("UNAUTHENTICATED");
  });
});

describe("sweeper and payment hand-off", () => {
  it("sweeps a lapsed hold once, publishing FREE, and never a paid seat", async () => {
    const alice = queue.admit("alice", "c1");
    const bob = queue.admit("bob", "c1");
    await service.reserveSeat(alice, "d-next", 1);
    const paid = await service.reserveSeat(bob, "d-next", 2);
    await store.confirmHeld(null, paid.id, "bob");
    events.published.length = 0;
    expect(await service.sweepLapsedHolds()).toBe(0);
    clock.advance(HOLD_SECONDS * 1000);
    expect(await service.sweepLapsedHolds()).toBe(1);
    expect(await service.sweepLapsedHolds()).toBe(0);
    expect(events.published).toEqual([{ concertDateId: "d-next", number: 1, status: "FREE" }]);
    expect(store.rows.find((r) => r.id === paid.id)).toMatchObject({ status: "CONFIRMED", live: true });
  });

  it("afterPayment announces SOLD and releases the user's other holds of that concert as FREE", async () => {
    const alice = queue.admit("alice", "c1");
    const paid = await service.reserveSeat(alice, "d-next", 1);
    const other = await service.reserveSeat(alice, "d-today", 2);
    const elsewhere = await service.reserveSeat(queue.admit("alice", "c2"), "d-other", 3);
    await store.confirmHeld(null, paid.id, "alice");
    events.published.length = 0;
    await service.afterPayment(paid);
    expect(events.published).toEqual([
      { concertDateId: "d-next", number: 1, status: "SOLD" },
      { concertDateId: "d-today", number: 2, status: "FREE" },
    ]);
    const statuses = Object.fromEntries((await service.myReservations(alice)).map((r) => [r.id, r.status]));
    expect(statuses).toEqual({ [paid.id]: "CONFIRMED", [other.id]: "CANCELLED", [elsewhere.id]: "HELD" });
  });
});
