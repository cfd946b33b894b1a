// The per-process cache of a date's seats that reserveSeat reads: one read per date however many
// callers arrive while it is under way, and nothing kept that an operator's change overtook.
// Fakes and a FakeClock; the loads are promises this test settles by hand.
import { beforeEach, describe, expect, it } from "vitest";
import { HoldTargets, type DateSeats } from "../../../src/modules/reservation/hold-targets.js";
import { FakeClock } from "../../../src/platform/clock.js";

const seats = (concertId: string, price: number): DateSeats => ({
  concertId,
  date: new Date("2030-01-05T00:00:00.000Z"),
  seats: new Map([[1, { id: "s1", price }]]),
});

/** A load whose answer the test gives, counting how often it was called. */
class ManualLoad {
  calls = 0;
  private settle: ((v: DateSeats | null) => void)[] = [];
  private fail: ((e: Error) => void)[] = [];
  readonly fn = () => {
    this.calls += 1;
    return new Promise<DateSeats | null>((resolve, reject) => {
      this.settle.push(resolve);
      this.fail.push(reject);
    });
  };
  answer(v: DateSeats | null) {
    this.settle.shift()!(v);
    this.fail.shift();
  }
  reject(e: Error) {
    this.fail.shift()!(e);
    this.settle.shift();
  }
}

let clock: FakeClock;
let targets: HoldTargets;
let load: ManualLoad;

beforeEach(() => {
  clock = new FakeClock();
  targets = new HoldTargets(clock);
  load = new ManualLoad();
});

describe("HoldTargets", () => {
  it("sends one read for a date however many callers arrive while it is under way", async () => {
    const callers = Array.from({ length: 2000 }, () => targets.get("d1", load.fn));
    expect(load.calls).toBe(1);
    load.answer(seats("c1", 100));
    const answers = await Promise.all(callers);
    expect(new Set(answers.map((a) => a?.seats.get(1)?.price))).toEqual(new Set([100]));
    expect((await targets.get("d1", load.fn))?.seats.get(1)?.price).toBe(100);
    expect(load.calls).toBe(1);
  });

  it("reads a date again once its minute is over, still once for all who ask meanwhile", async () => {
    const first = targets.get("d1", load.fn);
    load.answer(seats("c1", 100));
    await first;
    clock.advance(60_001);
    const callers = Array.from({ length: 50 }, () => targets.get("d1", load.fn));
    expect(load.calls).toBe(2);
    load.answer(seats("c1", 200));
    for (const a of await Promise.all(callers)) expect(a?.seats.get(1)?.price).toBe(200);
  });

  it("keeps reads of different dates apart", () => {
    void targets.get("d1", load.fn);
    void targets.get("d2", load.fn);
    expect(load.calls).toBe(2);
  });

  it("does not keep a read that an operator's change overtook, and reads anew after it", async () => {
    const before = targets.get("d1", load.fn);
    targets.forget({ concertId: "c1", concertDateId: "d1" });
    const after = targets.get("d1", load.fn);
    expect(load.calls).toBe(2);
    load.answer(seats("c1", 100)); // the read from before the change
    load.answer(seats("c1", 300));
    expect((await before)?.seats.get(1)?.price).toBe(100);
    expect((await after)?.seats.get(1)?.price).toBe(300);
    expect((await targets.get("d1", load.fn))?.seats.get(1)?.price).toBe(300);
    expect(load.calls).toBe(2);
  });

  it("a concert-wide change also overtakes a read under way, whose concert is not known yet", async () => {
    const before = targets.get("d1", load.fn);
    targets.forget({ concertId: "c1" });
    load.answer(seats("c1", 100));
    await before;
    const again = targets.get("d1", load.fn);
    expect(load.calls).toBe(2);
    load.answer(seats("c1", 400));
    expect((await again)?.seats.get(1)?.price).toBe(400);
  });

  it("a change to another date does not leave this date's read stuck", async () => {
    const first = targets.get("d1", load.fn);
    targets.forget({ concertId: "c1", concertDateId: "d2" });
    load.answer(seats("c1", 100));
    await first;
    // Not kept (the change might have been this date's concert), but no longer pending either.
    const next = targets.get("d1", load.fn);
    expect(load.calls).toBe(2);
    load.answer(seats("c1", 500));
    expect((await next)?.seats.get(1)?.price).toBe(500);
  });

  it("a failed read fails everyone who waited for it, and the next caller reads again", async () => {
    const callers = Array.from({ length: 3 }, () => targets.get("d1", load.fn));
    load.reject(new Error("connection lost"));
    for (const c of callers) await expect(c).rejects.toThrow("connection lost");
    const next = targets.get("d1", load.fn);
    expect(load.calls).toBe(2);
    load.answer(seats("c1", 100));
    expect((await next)?.seats.get(1)?.price).toBe(100);
  });

  it("does not keep a date that does not exist", async () => {
    const missing = targets.get("nope", load.fn);
    load.answer(null);
    expect(await missing).toBeNull();
    void targets.get("nope", load.fn);
    expect(load.calls).toBe(2);
  });
});
