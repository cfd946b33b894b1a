// The sale module's rules on fakes and a fake clock: the schedule cache (one tick, dropped by an
// operator's change, failures not kept), the draw job (draw, reveal, one push; the reveal of a
// draw whose instance died; nothing twice), and saleDraw (seed hidden until the reveal).
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { DrawOutcome } from "../../../src/modules/queue/prequeue.store.js";
import { SaleDrawService } from "../../../src/modules/sale/sale-draw.service.js";
import type { SaleDrawRow, ScheduledConcert } from "../../../src/modules/sale/sale-draw.repository.js";
import { SaleScheduleCache } from "../../../src/modules/sale/sale-schedule.cache.js";
import { FakeClock } from "../../../src/platform/clock.js";
import { createLogger } from "../../../src/platform/logger.js";

const SEED = "ab".repeat(32);
const TICK = 1000;

class FakeDraws {
  concerts = new Map<string, ScheduledConcert>();
  finds = 0;
  fail = false;
  async find(concertId: string) {
    this.finds++;
    if (this.fail) throw new Error("MySQL away");
    return this.concerts.get(concertId) ?? null;
  }
  async ensureDraw(concertId: string): Promise<SaleDrawRow> {
    const c = this.concerts.get(concertId)!;
    c.draw ??= { concertId, seed: SEED, commitment: "c".repeat(64), drawnAt: null, entrants: null };
    return c.draw;
  }
  async due(now: Date) {
    return [...this.concerts.values()]
      .filter((c) => c.saleOpensAt && c.saleOpensAt <= now && c.draw && !c.draw.drawnAt)
      .map((c) => c.concertId);
  }
  async markDrawn(concertId: string, drawnAt: Date, entrants: number) {
    const d = this.concerts.get(concertId)!.draw!;
    if (d.drawnAt) return false;
    Object.assign(d, { drawnAt, entrants });
    return true;
  }
  schedule(concertId: string, opensAt: Date) {
    this.concerts.set(concertId, { concertId, saleOpensAt: opensAt, draw: null });
  }
}

function setup() {
  const clock = new FakeClock("2030-01-01T00:00:00Z");
  const repository = new FakeDraws();
  const draws: { concertId: string; at: number }[] = [];
  const events: string[] = [];
  let redisDrawnAt: number | null = null;
  const prequeue = {
    draw: async (concertId: string, nowMs: number): Promise<DrawOutcome> => {
      draws.push({ concertId, at: nowMs });
      const drew = redisDrawnAt === null;
      redisDrawnAt ??= nowMs;
      return { drew, entrants: 7, drawnAtMs: redisDrawnAt };
    },
  };
  const service = new SaleDrawService({
    repository,
    prequeue,
    events: { changed: (concertId) => events.push(concertId) },
    clock,
    log: createLogger("silent"),
  });
  const cache = new SaleScheduleCache(repository, clock, TICK);
  return { clock, repository, draws, events, service, cache, prequeue };
}

describe("SaleScheduleCache", () => {
  it("keeps an opening for one tick, drops it on an operator's change, never keeps a failure", async () => {
    const { clock, repository, cache } = setup();
    expect(await cache.opening("none")).toBeNull();
    const opensAt = new Date(clock.now().getTime() + 60_000);
    repository.schedule("c1", opensAt);
    const first = (await cache.opening("c1"))!;
    expect(first.opensAtMs).toBe(opensAt.getTime());
    expect(first.drawKey("u1")).toBe(createHash("sha256").update(`${SEED}:u1`).digest("hex"));
    const reads = repository.finds;
    await cache.opening("c1");
    clock.advance(TICK - 1);
    await cache.opening("c1");
    expect(repository.finds).toBe(reads);
    // Moved by an operator: every instance forgets at once.
    repository.schedule("c1", new Date(opensAt.getTime() + 5_000));
    repository.concerts.get("c1")!.draw = { ...(await repository.ensureDraw("c1")) };
    cache.forget({ concertId: "c1" });
    expect((await cache.opening("c1"))!.opensAtMs).toBe(opensAt.getTime() + 5_000);
    clock.advance(TICK);
    repository.fail = true;
    await expect(cache.opening("c1")).rejects.toThrow("MySQL away");
    repository.fail = false;
    expect((await cache.opening("c1"))!.opensAtMs).toBe(opensAt.getTime() + 5_000);
  });

  it("reads the draw state fresh, with the draw's time once revealed", async () => {
    const { clock, repository, cache } = setup();
    repository.schedule("c1", clock.now());
    expect(await cache.drawState("c1", "u1")).toMatchObject({ drawnAtMs: null });
    await repository.markDrawn("c1", clock.now(), 3);
    expect(await cache.drawState("c1", "u1")).toMatchObject({ drawnAtMs: clock.now().getTime() });
    expect(await cache.drawState("none", "u1")).toBeNull();
  });
});

describe("SaleDrawService", () => {
  it("draws at the opening, reveals, pushes once, and never again", async () => {
    const { clock, repository, draws, events, service } = setup();
    repository.schedule("c1", new Date(clock.now().getTime() + TICK));
    await repository.ensureDraw("c1");
    await service.drawDue();
    expect(draws).toEqual([]);
    clock.advance(TICK);
    await service.drawDue();
    expect(draws).toEqual([{ concertId: "c1", at: clock.now().getTime() }]);
    expect(events).toEqual(["c1"]);
    expect(await service.saleDraw("c1")).toMatchObject({ seed: SEED, entrants: 7, drawnAt: clock.now() });
    clock.advance(TICK);
    await service.drawDue();
    expect(draws).toHaveLength(1);
    expect(events).toEqual(["c1"]);
  });

  it("reveals a draw another instance made but did not record, with that draw's time", async () => {
    const { clock, repository, events, service, prequeue } = setup();
    repository.schedule("c1", clock.now());
    await repository.ensureDraw("c1");
    const died = clock.now().getTime();
    await prequeue.draw("c1", died); // the dead instance's half
    clock.advance(TICK);
    await service.drawDue();
    expect((await service.saleDraw("c1"))!.drawnAt).toEqual(new Date(died));
    expect(events).toEqual(["c1"]);
  });

  it("hides the seed until the reveal; null when never scheduled; NOT_FOUND when unknown", async () => {
    const { clock, repository, service } = setup();
    repository.schedule("c1", new Date(clock.now().getTime() + TICK));
    expect(await service.saleDraw("c1")).toMatchObject({ seed: null, drawnAt: null, entrants: null });
    repository.concerts.set("c2", { concertId: "c2", saleOpensAt: null, draw: null });
    expect(await service.saleDraw("c2")).toBeNull();
    await expect(service.saleDraw("nope")).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
