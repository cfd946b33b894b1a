// The queue's Lua scripts against real Redis: a single node and a real Redis Cluster (3
// primaries, 3 replicas), every script under the key guard (every key it touches declared in
// KEYS, all KEYS of one hash tag). Time is an argument (the injected clock's "now"), so expiry
// and idleness are tested by moving a number, not by sleeping.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queueKeys, type QueueSettings } from "../../../src/modules/queue/queue.model.js";
import { RedisQueueStore } from "../../../src/modules/queue/queue.store.js";
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
const SETTINGS = scriptSettings({ maxActive: 1, admitPerTick: 1 });

describe.each(REDIS_MODES)("queue Lua scripts on Redis (%s)", (mode) => {
  let target: RedisModeHandle;
  let redis: Redis;
  const connect = () => guardScriptKeys(target.connect());
  const prefix = `test:queue-store:${randomUUID()}:`;
  const stores: RedisQueueStore[] = [];

  const storeWith = (overrides: Partial<QueueSettings> = {}) => {
    const s = new RedisQueueStore(redis, prefix, { ...SETTINGS, ...overrides });
    stores.push(s);
    return s;
  };
  const concert = () => randomUUID();
  const ref = (concertId: string, userId: string, ticketId: string) => ({ concertId, userId, ticketId });

  beforeAll(async () => {
    target = await startRedisMode(mode);
    redis = connect();
  });
  afterAll(async () => {
    if (mode === "single") {
      const keys = await (redis as import("ioredis").Redis).keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
    }
    await redis.quit();
    await target.stop();
  });

  it("gives 300 racing entries distinct, gap-free entry numbers and positions in that order", async () => {
    const store = storeWith({ maxActive: 1 });
    const c = concert();
    await store.enter(c, "holder", "t-holder", T0); // takes the only slot
    // Several connections, as several instances would use.
    const connections = Array.from({ length: 4 }, () => connect());
    const clients = connections.map((r) => new RedisQueueStore(r, prefix, SETTINGS));
    try {
      const entries = await Promise.all(
        Array.from({ length: 300 }, (_, i) => clients[i % 4]!.enter(c, `u${i}`, `t${i}`, T0)),
      );
      expect(entries.map((e) => e.seq).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 300 }, (_, i) => i + 2),
      );
      expect(entries.map((e) => e.rank).sort((a, b) => a! - b!)).toEqual(
        Array.from({ length: 300 }, (_, i) => i),
      );
      for (const e of entries) expect(e.rank).toBe(e.seq - 2);
      // Admission follows the entry order exactly.
      const bySeq = [...entries].sort((a, b) => a.seq - b.seq);
      await store.end(ref(c, "holder", "t-holder"), "LEFT");
      let now = T0;
      for (let i = 0; i < 5; i++) {
        now += 1000;
        await store.admit(c, now);
        const admittedUser = bySeq[i]!.ticketId.replace("t", "u");
        const [v] = await store.views([ref(c, admittedUser, bySeq[i]!.ticketId)], now, false);
        expect(v!.status).toBe("ACTIVE");
        await store.end(ref(c, admittedUser, bySeq[i]!.ticketId), "LEFT");
      }
    } finally {
      connections.forEach((r) => r.disconnect());
    }
  });

  it("gives one user racing to enter from many connections exactly one ticket", async () => {
    const store = storeWith({ maxActive: 1 });
    const c = concert();
    await store.enter(c, "holder", "t-holder", T0);
    const others = Array.from({ length: 4 }, () => connect());
    try {
      const stores = others.map((r) => new RedisQueueStore(r, prefix, SETTINGS));
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) => stores[i % 4]!.enter(c, "racer", `t${i}`, T0)),
      );
      expect(new Set(results.map((r) => r.ticketId)).size).toBe(1);
      expect(results.filter((r) => r.fresh)).toHaveLength(1);
      expect(new Set(results.map((r) => `${r.seq}/${r.rank}`))).toEqual(new Set(["2/0"]));
      expect(await redis.get(queueKeys(prefix, c).seq)).toBe("2");
    } finally {
      others.forEach((r) => r.disconnect());
    }
  });

  it("admits immediately only when nobody waits and a slot is free", async () => {
    const store = storeWith({ maxActive: 2 });
    const c = concert();
    const a = await store.enter(c, "a", "ta", T0);
    const b = await store.enter(c, "b", "tb", T0);
    const d = await store.enter(c, "d", "td", T0);
    expect([a.status, b.status, d.status]).toEqual(["ACTIVE", "ACTIVE", "WAITING"]);
    expect(a.activeUntilMs).toBe(T0 + 60_000);
    await store.end(ref(c, "a", "ta"), "LEFT");
    // A slot is free, but someone waits: the newcomer goes to the back.
    const e = await store.enter(c, "e", "te", T0 + 1);
    expect([e.status, e.rank]).toEqual(["WAITING", 1]);
  });

  it("re-issues a live ticket unchanged and re-enters at the back after it expired", async () => {
    const store = storeWith({ maxActive: 1, activeMs: 10_000 });
    const c = concert();
    const a = await store.enter(c, "a", "ta", T0);
    const b = await store.enter(c, "b", "tb", T0);
    const again = await store.enter(c, "b", "tb-new", T0 + 5);
    expect(again).toMatchObject({ ticketId: "tb", seq: b.seq, rank: 0, fresh: false, issuedAtMs: T0 });
    expect((await store.enter(c, "a", "ta-new", T0 + 5)).ticketId).toBe("ta");
    // a's active time runs out: a new call is a new ticket at the back.
    const later = await store.enter(c, "a", "ta-2", T0 + 10_000);
    expect(later).toMatchObject({
      ticketId: "ta-2",
      status: "WAITING",
      rank: 1,
      fresh: true,
      seq: a.seq + 2,
    });
    const [old] = await store.views([ref(c, "a", "ta")], T0 + 10_000, false);
    expect(old!.status).toBe("EXPIRED");
  });

  it("admits min(per tick, max active - active) per tick, in entry order", async () => {
    const store = storeWith({ maxActive: 5, admitPerTick: 2, activeMs: 600_000 });
    const c = concert();
    const users = Array.from({ length: 5 }, (_, i) => `w${i}`);
    await store.enter(c, "x", "tx", T0);
    await store.enter(c, "y", "ty", T0);
    await store.enter(c, "z", "tz", T0);
    // Three ACTIVE at once; make them wait by filling first with a waiter.
    const r0 = await store.admit(c, T0);
    expect(r0).toMatchObject({ ran: true, admitted: 0, active: 3 });
    await store.end(ref(c, "x", "tx"), "LEFT");
    await store.end(ref(c, "y", "ty"), "LEFT");
    await store.end(ref(c, "z", "tz"), "LEFT");
    // Now 5 slots free. Fill 3 again directly, then 5 waiters queue behind a blocker.
    for (const u of ["p", "q", "r", "s", "t"]) await store.enter(c, u, `t-${u}`, T0 + 1);
    for (const u of users) await store.enter(c, u, `t-${u}`, T0 + 2);
    await store.end(ref(c, "p", "t-p"), "LEFT");
    await store.end(ref(c, "q", "t-q"), "LEFT");
    await store.end(ref(c, "r", "t-r"), "LEFT");
    const r1 = await store.admit(c, T0 + 1000);
    expect(r1).toMatchObject({ admitted: 2, active: 4, waiting: 3 });
    const r2 = await store.admit(c, T0 + 2000);
    expect(r2).toMatchObject({ admitted: 1, active: 5, waiting: 2 });
    const views = await store.views(
      users.map((u) => ref(c, u, `t-${u}`)),
      T0 + 2000,
      false,
    );
    expect(views.map((v) => v.status)).toEqual(["ACTIVE", "ACTIVE", "ACTIVE", "WAITING", "WAITING"]);
    expect(views.map((v) => v.rank)).toEqual([null, null, null, 0, 1]);
  });

  it("admits nobody while as many or more are active than a lowered max active allows", async () => {
    const store = storeWith({ maxActive: 3, admitPerTick: 5, activeMs: 600_000 });
    const c = concert();
    for (const u of ["a", "b", "c"]) await store.enter(c, u, `t-${u}`, T0);
    for (const u of ["w1", "w2"]) await store.enter(c, u, `t-${u}`, T0);
    const lowered = { paused: false, maxActive: 2, admitPerTick: 5 };
    expect(await store.admit(c, T0 + 1000, lowered)).toMatchObject({ admitted: 0, active: 3, waiting: 2 });
    await store.end(ref(c, "a", "t-a"), "LEFT");
    expect(await store.admit(c, T0 + 2000, lowered)).toMatchObject({ admitted: 0, active: 2, waiting: 2 });
    await store.end(ref(c, "b", "t-b"), "LEFT");
    expect(await store.admit(c, T0 + 3000, lowered)).toMatchObject({ admitted: 1, active: 2, waiting: 1 });
  });

  it("admits at most the per-tick number however many slots are free", async () => {
    const store = storeWith({ maxActive: 1, admitPerTick: 50, activeMs: 600_000 });
    const c = concert();
    await store.enter(c, "blocker", "t-blocker", T0);
    for (let i = 0; i < 10; i++) await store.enter(c, `u${i}`, `t${i}`, T0);
    await store.end(ref(c, "blocker", "t-blocker"), "LEFT");
    const wide = { paused: false, maxActive: 100, admitPerTick: 4 };
    expect(await store.admit(c, T0 + 1000, wide)).toMatchObject({ admitted: 4, active: 4, waiting: 6 });
    expect(await store.admit(c, T0 + 2000, wide)).toMatchObject({ admitted: 4, active: 8, waiting: 2 });
  });

  it("never exceeds max active or the per-tick cap when many instances tick at once", async () => {
    const store = storeWith({ maxActive: 7, admitPerTick: 3, activeMs: 600_000 });
    const c = concert();
    // Entered while one slot was the limit, so all 40 wait; then the limit is 7.
    const entry = storeWith({ maxActive: 1 });
    await entry.enter(c, "blocker", "t-blocker", T0);
    for (let i = 0; i < 40; i++) await entry.enter(c, `u${i}`, `t${i}`, T0);
    await store.end(ref(c, "blocker", "t-blocker"), "LEFT");
    const results = await Promise.all(Array.from({ length: 20 }, () => store.admit(c, T0 + 1000)));
    expect(results.filter((r) => r.ran)).toHaveLength(1);
    expect(results.reduce((n, r) => n + r.admitted, 0)).toBe(3);
    for (let tick = 2; tick <= 6; tick++) {
      const burst = await Promise.all(Array.from({ length: 10 }, () => store.admit(c, T0 + tick * 1000)));
      expect(burst.reduce((n, r) => n + r.admitted, 0)).toBeLessThanOrEqual(3);
    }
    expect(await redis.zcard(queueKeys(prefix, c).active)).toBe(7);
  });

  it("expires ACTIVE tickets past their time at the tick, freeing their slots", async () => {
    const store = storeWith({ maxActive: 1, activeMs: 10_000 });
    const c = concert();
    await store.enter(c, "a", "ta", T0);
    await store.enter(c, "b", "tb", T0);
    const [before] = await store.views([ref(c, "a", "ta")], T0 + 9_999, false);
    expect(before!.status).toBe("ACTIVE");
    const [lapsed] = await store.views([ref(c, "a", "ta")], T0 + 10_000, false);
    expect(lapsed!.status).toBe("EXPIRED");
    const r = await store.admit(c, T0 + 10_000);
    expect(r).toMatchObject({ expired: 1, admitted: 1 });
    const [b] = await store.views([ref(c, "b", "tb")], T0 + 10_000, false);
    expect(b).toMatchObject({ status: "ACTIVE", activeUntilMs: T0 + 20_000 });
  });

  it("drops waiters idle longer than the idle limit; a touch keeps the place", async () => {
    const store = storeWith({ maxActive: 1, idleMs: 30_000, activeMs: 600_000 });
    const c = concert();
    await store.enter(c, "a", "ta", T0);
    await store.enter(c, "ghost", "tg", T0);
    await store.enter(c, "alive", "tl", T0);
    await store.views([ref(c, "alive", "tl")], T0 + 20_000, true);
    const r = await store.admit(c, T0 + 30_001);
    expect(r).toMatchObject({ dropped: 1, waiting: 1 });
    const [ghost, alive] = await store.views(
      [ref(c, "ghost", "tg"), ref(c, "alive", "tl")],
      T0 + 30_001,
      false,
    );
    expect(ghost!.status).toBe("EXPIRED");
    expect(alive).toMatchObject({ status: "WAITING", rank: 0 });
  });

  it("ends a ticket on leave or payment once, and leaves a replaced ticket alone", async () => {
    const store = storeWith({ maxActive: 1 });
    const c = concert();
    await store.enter(c, "a", "ta", T0);
    await store.enter(c, "b", "tb", T0);
    expect(await store.end(ref(c, "b", "wrong"), "LEFT")).toBe(false);
    expect(await store.end(ref(c, "a", "ta"), "PAID")).toBe(true);
    expect(await store.end(ref(c, "a", "ta"), "PAID")).toBe(false);
    const k = queueKeys(prefix, c);
    expect(await redis.zcard(k.active)).toBe(0);
    expect(await redis.hget(k.ticket("a"), "endedBy")).toBe("PAID");
    expect((await store.admit(c, T0 + 1000)).admitted).toBe(1);
  });

  it("extends only a live ACTIVE ticket, and only later", async () => {
    const store = storeWith({ maxActive: 1, activeMs: 10_000 });
    const c = concert();
    await store.enter(c, "a", "ta", T0);
    expect(await store.extend(ref(c, "a", "ta"), T0 + 50_000, T0 + 1)).toBe(true);
    expect(await store.extend(ref(c, "a", "ta"), T0 + 20_000, T0 + 2)).toBe(true);
    const [v] = await store.views([ref(c, "a", "ta")], T0 + 40_000, false);
    expect(v).toMatchObject({ status: "ACTIVE", activeUntilMs: T0 + 50_000 });
    expect(await redis.zscore(queueKeys(prefix, c).active, "a")).toBe(String(T0 + 50_000));
    expect(await store.extend(ref(c, "a", "ta"), T0 + 90_000, T0 + 50_000)).toBe(false);
  });

  it("reads 451 tickets in one call (three script calls) exactly as one at a time, in the order asked", async () => {
    const store = storeWith({ maxActive: 50, activeMs: 600_000 });
    const c = concert();
    for (let i = 0; i < 440; i++) await store.enter(c, `u${i}`, `t${i}`, T0);
    await store.end(ref(c, "u7", "t7"), "LEFT");
    const refs = [
      ...Array.from({ length: 440 }, (_, i) => ref(c, `u${i}`, `t${i}`)),
      // A token that is not the user's current ticket (replaced): EXPIRED, not lost.
      ref(c, "u8", "t8-old"),
      // Never stored, with a token older than the data set: lost (Redis lost it).
      ...Array.from({ length: 10 }, (_, i) => ({ ...ref(c, `gone${i}`, `tg${i}`), issuedAt: 1 })),
    ].reverse();
    const now = T0 + 2000;
    const together = await store.views(refs, now, false);
    const oneByOne = [];
    for (const r of refs) oneByOne.push((await store.views([r], now, false))[0]);
    expect(together).toEqual(oneByOne);
    const byUser = new Map(refs.map((r, i) => [`${r.userId}:${r.ticketId}`, together[i]!]));
    expect(byUser.get("u0:t0")).toMatchObject({ status: "ACTIVE", rank: null });
    expect(byUser.get("u7:t7")).toMatchObject({ status: "EXPIRED" });
    expect(byUser.get("u8:t8-old")).toMatchObject({ status: "EXPIRED" });
    expect(byUser.get("u8:t8-old")!.lost).toBeUndefined();
    expect(byUser.get("u8:t8")).toMatchObject({ status: "ACTIVE" });
    expect(byUser.get("u50:t50")).toMatchObject({ status: "WAITING", rank: 0 });
    expect(byUser.get("u439:t439")).toMatchObject({ status: "WAITING", rank: 389 });
    expect(byUser.get("gone3:tg3")).toMatchObject({ status: "EXPIRED", lost: true });
    expect(byUser.get("u100:t100")!.lost).toBeUndefined();
  });

  it("reads single tickets of 20 concerts at once through one auto-pipelining connection (routed by their keys)", async () => {
    const store = storeWith({ maxActive: 1 });
    const concerts = Array.from({ length: 20 }, () => concert());
    await Promise.all(concerts.map((c) => store.enter(c, "a", `ta-${c}`, T0)));
    await Promise.all(concerts.map((c) => store.enter(c, "b", `tb-${c}`, T0)));
    const views = await Promise.all(
      concerts.flatMap((c) => [
        store.views([ref(c, "a", `ta-${c}`)], T0 + 1, false),
        store.views([ref(c, "b", `tb-${c}`)], T0 + 1, true),
      ]),
    );
    expect(views.map(([v]) => v!.status)).toEqual(concerts.flatMap(() => ["ACTIVE", "WAITING"]));
  });

  it("refreshes the heartbeat of every WAITING ticket of a call with touch, and of none without", async () => {
    const store = storeWith({ maxActive: 1, idleMs: 30_000 });
    const c = concert();
    for (let i = 0; i < 250; i++) await store.enter(c, `u${i}`, `t${i}`, T0);
    const refs = Array.from({ length: 250 }, (_, i) => ref(c, `u${i}`, `t${i}`));
    await store.views(refs, T0 + 10_000, false);
    const seen = queueKeys(prefix, c).seen;
    expect(await redis.zscore(seen, "u249")).toBe(String(T0));
    await store.views(refs, T0 + 20_000, true);
    expect(await redis.zscore(seen, "u1")).toBe(String(T0 + 20_000));
    expect(await redis.zscore(seen, "u249")).toBe(String(T0 + 20_000));
    expect(await redis.zscore(seen, "u0")).toBeNull(); // ACTIVE: no heartbeat kept
  });

  it("measures the admission rate and reports it with each view", async () => {
    const store = storeWith({ maxActive: 100, admitPerTick: 2, activeMs: 600_000 });
    const c = concert();
    const entry = storeWith({ maxActive: 1 });
    await entry.enter(c, "blocker", "tb", T0);
    for (let i = 0; i < 20; i++) await entry.enter(c, `u${i}`, `t${i}`, T0);
    await store.admit(c, T0); // starts the observation window
    for (let s = 1; s <= 4; s++) await store.admit(c, T0 + s * 1000);
    const [v] = await store.views([ref(c, "u19", "t19")], T0 + 4000, false);
    // 2 per tick, 5 ticks of 1 s observed: 10 admitted in 5 s.
    expect(v!.observedRate).toBeCloseTo(2, 5);
  });

  it("runs every script under a guard that refuses an undeclared key or keys of two hash tags", async () => {
    const probe = connect() as Redis & { probe(...args: string[]): Promise<unknown> };
    probe.defineCommand("probe", { numberOfKeys: 1, lua: "return redis.call('GET', KEYS[1] .. ':x')" });
    await expect(probe.probe(`${prefix}{g}:k`)).rejects.toThrow(/KEYGUARD undeclared key/);
    probe.defineCommand("probe2", { numberOfKeys: 2, lua: "return 1" });
    const two = probe as unknown as { probe2(...args: string[]): Promise<unknown> };
    if (mode === "single")
      await expect(two.probe2("a{x}", "b{y}")).rejects.toThrow(/KEYGUARD keys of different/);
    await probe.quit();
  });

  it("keeps every key of a concert in one hash slot", () => {
    const k = queueKeys("p:", "abc");
    for (const key of [k.seq, k.waiting, k.active, k.seen, k.admits, k.meta, k.ticket("u")]) {
      expect(key).toMatch(/^p:queue:\{abc\}:/);
    }
  });
});
