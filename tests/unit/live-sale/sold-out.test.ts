// SoldOutWatch on fakes: after a payment, a date that still has an open seat settles the check
// without reading the concert's other dates; only a date that filled up looks at them.
import { describe, expect, it } from "vitest";
import { SoldOutWatch } from "../../../src/modules/live-sale/sold-out.js";
import { FakeClock } from "../../../src/platform/clock.js";

function watch(openDates: Set<string>, future: { any: boolean; open: boolean }) {
  const calls: string[] = [];
  const flags: boolean[] = [];
  const w = new SoldOutWatch(
    {
      dateOpen: async (dateId) => (calls.push(`date ${dateId}`), openDates.has(dateId)),
      futureSeats: async () => (calls.push("concert"), future),
      markDateSoldOut: async (dateId) => (calls.push(`mark ${dateId}`), true),
    },
    { setSoldOut: async (_concertId: string, soldOut: boolean) => void flags.push(soldOut) },
    new FakeClock("2030-06-01T03:00:00Z"),
    "Asia/Seoul",
  );
  return { w, calls, flags };
}

describe("the sold-out check after a payment", () => {
  it("stops at the paid date while it has an open seat", async () => {
    const { w, calls, flags } = watch(new Set(["d1"]), { any: true, open: false });
    expect(await w.check("c", "d1")).toBe(false);
    expect(calls).toEqual(["date d1"]);
    expect(flags).toEqual([false]);
  });

  it("flags a full paid date, then looks at the whole concert, and flags the concert sold out when nothing is open", async () => {
    const { w, calls, flags } = watch(new Set(), { any: true, open: false });
    expect(await w.check("c", "d1")).toBe(true);
    expect(calls).toEqual(["date d1", "mark d1", "concert"]);
    expect(flags).toEqual([true]);
  });

  it("reads the whole concert when no date is given (a catalogue change)", async () => {
    const { w, calls } = watch(new Set(["d1"]), { any: true, open: true });
    expect(await w.check("c")).toBe(false);
    expect(calls).toEqual(["concert"]);
  });
});
