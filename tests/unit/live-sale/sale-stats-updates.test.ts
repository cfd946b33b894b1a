// The operator figures' fan-out: one computation per concert per tick whatever the number of
// watchers, a push only when a figure changed. The figures source is a fake over a fake clock.
import { describe, expect, it } from "vitest";
import { SaleStatsHub } from "../../../src/modules/live-sale/sale-stats-updates.js";
import type { SaleStatsData } from "../../../src/modules/live-sale/sale-stats.service.js";
import { FakeClock } from "../../../src/platform/clock.js";
import { DomainError } from "../../../src/platform/errors.js";
import { createLogger } from "../../../src/platform/logger.js";

class FakeFigures {
  calls = 0;
  waiting = new Map<string, number>();
  constructor(private readonly clock: FakeClock) {}
  async stats(concertId: string): Promise<SaleStatsData> {
    this.calls += 1;
    if (concertId === "missing") throw new DomainError("NOT_FOUND", "Concert missing was not found.");
    return {
      concertId,
      at: this.clock.now(),
      saleOpensAt: null,
      prequeued: 0,
      waiting: this.waiting.get(concertId) ?? 0,
      active: 0,
      admittedLastMinute: 0,
      abandonedLastMinute: 0,
      paidLastMinute: 0,
      seatsFree: 50,
      seatsHeld: 0,
      seatsSold: 0,
      revenue: 0,
      paused: false,
      maxActive: 100,
      admitPerTick: 50,
      soldOut: false,
    };
  }
}

function setup() {
  const clock = new FakeClock("2030-01-01T00:00:00Z");
  const figures = new FakeFigures(clock);
  const hub = new SaleStatsHub(figures, createLogger("silent"));
  const tick = async () => {
    clock.advance(1000);
    await hub.tick();
  };
  return { clock, figures, hub, tick };
}

/** Everything pushed so far, without waiting for more. */
async function drain(stream: AsyncIterableIterator<SaleStatsData>, count: number): Promise<SaleStatsData[]> {
  const out: SaleStatsData[] = [];
  for (let i = 0; i < count; i++) out.push((await stream.next()).value as SaleStatsData);
  return out;
}

describe("saleStatsUpdates fan-out", () => {
  it("costs one computation per concert per tick for 100 watchers, and pushes each change to all", async () => {
    const { figures, hub, tick } = setup();
    const streams = [];
    for (let i = 0; i < 100; i++) streams.push(await hub.subscribe("c1"));
    // The first watcher's subscription computed; the 99 others got the same figures at once.
    expect(figures.calls).toBe(1);
    figures.waiting.set("c1", 7);
    await tick();
    await tick();
    expect(figures.calls).toBe(3);
    for (const s of streams) {
      const [first, changed] = await drain(s, 2);
      expect([first!.waiting, changed!.waiting]).toEqual([0, 7]);
    }
  });

  it("pushes nothing on a tick where no figure changed (the time alone is no change)", async () => {
    const { figures, hub, tick } = setup();
    const stream = await hub.subscribe("c1");
    const pushed: number[] = [];
    void (async () => {
      for await (const s of stream) pushed.push(s.waiting);
    })();
    await tick();
    await tick();
    figures.waiting.set("c1", 3);
    await tick();
    await tick();
    await new Promise((r) => setImmediate(r));
    expect(pushed).toEqual([0, 3]);
    expect(figures.calls).toBe(5);
    await stream.return?.();
  });

  it("computes each watched concert separately, and stops computing a concert nobody watches", async () => {
    const { figures, hub, tick } = setup();
    const a = await hub.subscribe("c1");
    await hub.subscribe("c2");
    expect(figures.calls).toBe(2);
    await tick();
    expect(figures.calls).toBe(4);
    await a.return?.();
    await tick();
    expect(figures.calls).toBe(5);
    expect(hub.size).toBe(1);
  });

  it("ends the stream with NOT_FOUND for an unknown concert and keeps no watcher", async () => {
    const { hub } = setup();
    const stream = await hub.subscribe("missing");
    await expect(stream.next()).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect(hub.size).toBe(0);
  });
});
