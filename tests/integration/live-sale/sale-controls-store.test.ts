// The operator's controls where they are obeyed: the enter and admit scripts on real Redis, with
// pause and policy as ARGV, the soldout flag, and the figures script that saleStats reads; on a
// single node and on a real Redis Cluster, every script under the key guard (tests/helpers/redis-modes.ts).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SaleFiguresStore } from "../../../src/modules/live-sale/sale-figures.store.js";
import { RedisQueueStore } from "../../../src/modules/queue/queue.store.js";
import { DomainError } from "../../../src/platform/errors.js";
import type { Redis } from "../../../src/platform/redis/redis.js";
import {
  guardScriptKeys,
  REDIS_MODES,
  SCRIPT_T0,
  scriptSettings,
  startRedisMode,
  type RedisModeHandle,
} from "../../helpers/redis-modes.js";

const T0 = SCRIPT_T0;
const SETTINGS = scriptSettings({ maxActive: 10, admitPerTick: 10 });
const open = { paused: false, maxActive: 10, admitPerTick: 10 };
const paused = { ...open, paused: true };

describe.each(REDIS_MODES)("sale controls in the queue scripts (%s)", (mode) => {
  let target: RedisModeHandle;
  let redis: Redis;
  let store: RedisQueueStore;
  let figures: SaleFiguresStore;
  const prefix = `test:sale-controls:${randomUUID()}:`;
  const concert = () => randomUUID();

  beforeAll(async () => {
    target = await startRedisMode(mode);
    redis = guardScriptKeys(target.connect());
    store = new RedisQueueStore(redis, prefix, SETTINGS);
    figures = new SaleFiguresStore(redis, prefix);
  });
  afterAll(async () => {
    if (mode === "single") {
      const keys = await (redis as import("ioredis").Redis).keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
    }
    await redis.quit();
    await target.stop();
  });

  it("admits nobody while paused, not even into an empty queue, and everyone in order once resumed", async () => {
    const c = concert();
    const first = await store.enter(c, "u1", "t1", T0, undefined, paused);
    expect(first.status).toBe("WAITING");
    await store.enter(c, "u2", "t2", T0, undefined, paused);
    const tick = await store.admit(c, T0 + 1000, paused);
    expect(tick).toMatchObject({ ran: true, admitted: 0, waiting: 2, active: 0 });
    const resumed = await store.admit(c, T0 + 2000, open);
    expect(resumed).toMatchObject({ admitted: 2, waiting: 0, active: 2 });
    const [v1, v2] = await store.views(
      [
        { concertId: c, userId: "u1", ticketId: "t1" },
        { concertId: c, userId: "u2", ticketId: "t2" },
      ],
      T0 + 2000,
      false,
    );
    expect([v1!.status, v2!.status]).toEqual(["ACTIVE", "ACTIVE"]);
  });

  it("keeps ACTIVE users active while paused (only admission stops)", async () => {
    const c = concert();
    expect((await store.enter(c, "a", "ta", T0, undefined, open)).status).toBe("ACTIVE");
    await store.admit(c, T0 + 1000, paused);
    const [view] = await store.views([{ concertId: c, userId: "a", ticketId: "ta" }], T0 + 1000, false);
    expect(view!.status).toBe("ACTIVE");
  });

  it("admits admitPerTick per tick and never more than maxActive (the concert's policy, not the defaults)", async () => {
    const c = concert();
    const policy = { paused: false, maxActive: 3, admitPerTick: 1 };
    await store.enter(c, "holder", "th", T0, undefined, { ...policy, maxActive: 0 });
    for (let i = 0; i < 5; i++) await store.enter(c, `w${i}`, `t${i}`, T0, undefined, policy);
    const admitted: number[] = [];
    for (let t = 1; t <= 6; t++) admitted.push((await store.admit(c, T0 + t * 1000, policy)).admitted);
    expect(admitted).toEqual([1, 1, 1, 0, 0, 0]);
    const figuresNow = await figures.figures(c, T0 + 6000);
    expect(figuresNow).toMatchObject({ active: 3, waiting: 3, admittedLastMinute: 3 });
  });

  it("refuses a new entry while the soldout flag is set, returns a live ticket unchanged, and reopens when cleared", async () => {
    const c = concert();
    const live = await store.enter(c, "early", "te", T0, undefined, open);
    await figures.setSoldOut(c, true);
    const error = await store.enter(c, "late", "tl", T0, undefined, open).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe("SOLD_OUT");
    expect((await store.enter(c, "early", "te2", T0, undefined, open)).ticketId).toBe(live.ticketId);
    expect((await store.admit(c, T0 + 1000, open)).soldOut).toBe(true);
    await figures.setSoldOut(c, false);
    expect((await store.enter(c, "late", "tl", T0 + 1000, undefined, open)).status).toBe("ACTIVE");
    expect((await store.admit(c, T0 + 2000, open)).soldOut).toBe(false);
  });

  it("counts leaves, idle drops and active timeouts of the last minute as abandoned", async () => {
    const c = concert();
    const policy = { paused: false, maxActive: 1, admitPerTick: 1 };
    await store.enter(c, "active", "ta", T0, undefined, policy); // ACTIVE until T0 + 60 s
    await store.enter(c, "leaver", "tl", T0, undefined, policy);
    await store.enter(c, "idler", "ti", T0, undefined, policy);
    await store.end({ concertId: c, userId: "leaver", ticketId: "tl" }, "LEFT", T0 + 5000);
    // The idler sends no heartbeat: dropped after 30 s; the active one times out at 60 s.
    await store.admit(c, T0 + 31_000, { ...policy, maxActive: 0 });
    await store.admit(c, T0 + 61_000, { ...policy, maxActive: 0 });
    expect(await figures.figures(c, T0 + 61_000)).toMatchObject({
      waiting: 0,
      active: 0,
      abandonedLastMinute: 3,
    });
    // A payment's end is not an abandon; and a minute later the log has moved on.
    expect((await figures.figures(c, T0 + 125_000)).abandonedLastMinute).toBe(0);
  });

  it("does not log a paid end as abandoned", async () => {
    const c = concert();
    await store.enter(c, "payer", "tp", T0, undefined, open);
    await store.end({ concertId: c, userId: "payer", ticketId: "tp" }, "PAID", T0 + 1000);
    expect(await figures.figures(c, T0 + 1000)).toMatchObject({ active: 0, abandonedLastMinute: 0 });
  });
});
