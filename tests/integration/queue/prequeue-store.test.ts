// The pre-queue's Lua rules against real Redis, a single node and a real Redis Cluster, every
// script under the key guard (enter with a draw key, view, admit gate, draw, restore). Time is an argument, so "before the opening" and idleness are moved numbers. The
// draw order is checked against the order recomputed here from the seed with node:crypto.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisPrequeueStore } from "../../../src/modules/queue/prequeue.store.js";
import { queueKeys } from "../../../src/modules/queue/queue.model.js";
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
const SETTINGS = scriptSettings({ maxActive: 5, admitPerTick: 5 });

/** The contract's draw key, written out independently of src/modules/sale/draw-key.ts. */
const keyOf = (seedHex: string, userId: string) =>
  createHash("sha256").update(`${seedHex}:${userId}`, "utf8").digest("hex");
/** Tests open the sale at OPENS (draws run at or after it). */
const OPENS = T0 + 1_000;
const entry = (seedHex: string, userId: string, opensAtMs = OPENS) => ({
  drawKey: keyOf(seedHex, userId),
  opensAtMs,
});

describe.each(REDIS_MODES)("pre-queue Lua scripts on Redis (%s)", (mode) => {
  let target: RedisModeHandle;
  let redis: Redis;
  const prefix = `test:prequeue-store:${randomUUID()}:`;
  let queue: RedisQueueStore;
  let prequeue: RedisPrequeueStore;
  const others: Redis[] = [];

  const connection = () => {
    const r = guardScriptKeys(target.connect());
    others.push(r);
    return r;
  };
  const ref = (concertId: string, userId: string, ticketId: string) => ({ concertId, userId, ticketId });
  const view = async (concertId: string, userId: string, ticketId: string, now: number, touch = false) =>
    (await queue.views([ref(concertId, userId, ticketId)], now, touch))[0]!;

  beforeAll(async () => {
    target = await startRedisMode(mode);
    redis = guardScriptKeys(target.connect());
    queue = new RedisQueueStore(redis, prefix, SETTINGS);
    prequeue = new RedisPrequeueStore(redis, prefix, SETTINGS);
  });
  afterAll(async () => {
    if (mode === "single") {
      const keys = await (redis as import("ioredis").Redis).keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
    }
    await redis.quit();
    others.forEach((r) => r.disconnect());
    await target.stop();
  });

  it("enters PREQUEUED (no place, entry number 0) and re-issues the same ticket", async () => {
    const c = randomUUID();
    const seed = randomBytes(32).toString("hex");
    const t = await queue.enter(c, "u1", "t1", T0, entry(seed, "u1"));
    expect(t).toMatchObject({ status: "PREQUEUED", ticketId: "t1", seq: 0, rank: null, fresh: true });
    const again = await queue.enter(c, "u1", "t1-new", T0 + 5_000, entry(seed, "u1"));
    expect(again).toMatchObject({ status: "PREQUEUED", ticketId: "t1", issuedAtMs: T0, fresh: false });
    expect(await view(c, "u1", "t1", T0 + 6_000, true)).toMatchObject({ status: "PREQUEUED", rank: null });
    expect(await redis.zcard(queueKeys(prefix, c).prequeue)).toBe(1);
    expect(await redis.zcard(queueKeys(prefix, c).seen)).toBe(0);
  });

  it("never drops a PREQUEUED ticket for idleness and admits nobody before the draw", async () => {
    const c = randomUUID();
    const seed = randomBytes(32).toString("hex");
    await queue.enter(c, "early", "te", T0, entry(seed, "early"));
    // An entrant without a draw key (the opening came, the draw has not run yet) waits behind.
    const late = await queue.enter(c, "late", "tl", T0 + 1_000);
    expect([late.status, late.seq, late.rank]).toEqual(["WAITING", 1, 0]);
    // Ten idle limits later, with every slot free: nobody is dropped or admitted.
    const tick = await queue.admit(c, T0 + 10 * SETTINGS.idleMs);
    expect(tick).toMatchObject({ ran: true, admitted: 0, dropped: 1 });
    expect((await view(c, "early", "te", T0 + 10 * SETTINGS.idleMs)).status).toBe("PREQUEUED");
    // Idleness counts from the draw: kept within the limit, dropped after it.
    const drawAt = T0 + 11 * SETTINGS.idleMs;
    await prequeue.draw(c, drawAt);
    expect(await view(c, "early", "te", drawAt + SETTINGS.idleMs)).toMatchObject({
      status: "WAITING",
      rank: 0,
    });
    expect(await queue.admit(c, drawAt + SETTINGS.idleMs + 1)).toMatchObject({ dropped: 1, admitted: 0 });
    expect((await view(c, "early", "te", drawAt + SETTINGS.idleMs + 2)).status).toBe("EXPIRED");
  });

  it("draws in ascending draw key, later entrants behind in entry order, admission in that order", async () => {
    const c = randomUUID();
    const seed = randomBytes(32).toString("hex");
    const users = Array.from({ length: 200 }, (_, i) => `user-${i}-${randomUUID()}`);
    const stores = Array.from({ length: 4 }, () => new RedisQueueStore(connection(), prefix, SETTINGS));
    // Entry order is random and concurrent over four connections; it must not matter.
    const shuffled = [...users].sort(() => Math.random() - 0.5);
    await Promise.all(shuffled.map((u, i) => stores[i % 4]!.enter(c, u, `t-${u}`, T0 + i, entry(seed, u))));
    // Two entrants after the opening but before the draw ran, then one after it.
    const afterOpening = [
      await queue.enter(c, "late-1", "tl1", T0 + 5_000),
      await queue.enter(c, "late-2", "tl2", T0 + 5_001),
    ];
    expect(afterOpening.map((t) => t.status)).toEqual(["WAITING", "WAITING"]);
    const outcome = await prequeue.draw(c, T0 + 6_000);
    expect(outcome).toEqual({ drew: true, entrants: 200, drawnAtMs: T0 + 6_000 });
    const afterDraw = await queue.enter(c, "late-3", "tl3", T0 + 7_000, entry(seed, "late-3"));
    expect(afterDraw).toMatchObject({ status: "WAITING", seq: 3, rank: 202 });

    const expected = [...users].sort((a, b) => (keyOf(seed, a) < keyOf(seed, b) ? -1 : 1));
    const views = await queue.views(
      expected.map((u) => ref(c, u, `t-${u}`)),
      T0 + 7_000,
      false,
    );
    expect(views.map((v) => v.status)).toEqual(expected.map(() => "WAITING"));
    expect(views.map((v) => v.rank)).toEqual(expected.map((_, i) => i));
    // Idleness counts from the opening for the drawn, from their own entry for the late.
    const k = queueKeys(prefix, c);
    expect(Number(await redis.zscore(k.seen, expected[17]!))).toBe(OPENS);
    expect(Number(await redis.zscore(k.seen, "late-2"))).toBe(T0 + 5_001);
    expect(await redis.zcard(k.seen)).toBe(203);
    expect((await view(c, "late-1", "tl1", T0 + 7_000)).rank).toBe(200);
    expect((await view(c, "late-2", "tl2", T0 + 7_000)).rank).toBe(201);

    // The first tick admits the first five of the draw.
    expect(await queue.admit(c, T0 + 8_000)).toMatchObject({ admitted: 5 });
    const firstFive = await queue.views(
      expected.slice(0, 6).map((u) => ref(c, u, `t-${u}`)),
      T0 + 8_000,
      false,
    );
    expect(firstFive.map((v) => v.status)).toEqual([
      "ACTIVE",
      "ACTIVE",
      "ACTIVE",
      "ACTIVE",
      "ACTIVE",
      "WAITING",
    ]);
  });

  it("counts idleness from the draw when the opening moved after some entered", async () => {
    const c = randomUUID();
    const seed = randomBytes(32).toString("hex");
    // x entered for the first opening; the operator then moved it 40 s later; y entered after.
    await queue.enter(c, "x", "tx", T0, entry(seed, "x", OPENS));
    await queue.enter(c, "y", "ty", T0 + 500, entry(seed, "y", OPENS + 40_000));
    const drawAt = OPENS + 40_000;
    await prequeue.draw(c, drawAt);
    expect(Number(await redis.zscore(queueKeys(prefix, c).seen, "x"))).toBe(drawAt);
    expect(Number(await redis.zscore(queueKeys(prefix, c).seen, "y"))).toBe(drawAt);
    expect(await queue.admit(c, drawAt + SETTINGS.idleMs)).toMatchObject({ dropped: 0, admitted: 2 });
  });

  it("keeps draw keys that share their first 60 bits in draw-key order", async () => {
    const c = randomUUID();
    const shared = "0123456789abcde";
    const keys = ["c", "0", "8"].map((d) => shared + d + "f".repeat(48));
    // Entered so that userId order (the sorted set's tie-break) is the opposite of key order.
    await queue.enter(c, "a", "ta", T0, { drawKey: keys[0]!, opensAtMs: OPENS });
    await queue.enter(c, "b", "tb", T0, { drawKey: keys[2]!, opensAtMs: OPENS });
    await queue.enter(c, "c", "tc", T0, { drawKey: keys[1]!, opensAtMs: OPENS });
    await prequeue.draw(c, T0 + 1);
    const ranks = await queue.views(
      ["c", "b", "a"].map((u) => ref(c, u, `t${u}`)),
      T0 + 2,
      false,
    );
    expect(ranks.map((v) => v.rank)).toEqual([0, 1, 2]);
  });

  it("draws exactly once when two instances race, and a leaver before the draw is not drawn", async () => {
    const c = randomUUID();
    const seed = randomBytes(32).toString("hex");
    for (let i = 0; i < 50; i++) await queue.enter(c, `u${i}`, `t${i}`, T0, entry(seed, `u${i}`));
    expect(await queue.end(ref(c, "u7", "t7"), "LEFT")).toBe(true);
    expect(await prequeue.prequeued(c)).toBe(49);
    const a = new RedisPrequeueStore(connection(), prefix, SETTINGS);
    const b = new RedisPrequeueStore(connection(), prefix, SETTINGS);
    const [ra, rb] = await Promise.all([a.draw(c, T0 + 1_000), b.draw(c, T0 + 1_001)]);
    expect([ra.drew, rb.drew].sort()).toEqual([false, true]);
    expect(ra.entrants).toBe(49);
    expect(rb.entrants).toBe(49);
    expect(ra.drawnAtMs).toBe(rb.drawnAtMs);
    expect(await redis.zcard(queueKeys(prefix, c).waiting)).toBe(49);
    expect(await prequeue.prequeued(c)).toBe(0);
    // A third call much later changes nothing.
    expect(await prequeue.draw(c, T0 + 60_000)).toMatchObject({ drew: false, entrants: 49 });
    expect(await redis.zcard(queueKeys(prefix, c).waiting)).toBe(49);
    expect((await view(c, "u7", "t7", T0 + 2_000)).status).toBe("EXPIRED");
  });

  it("restores a lost PREQUEUED ticket into the pre-queue before the draw and at its drawn place after", async () => {
    const c = randomUUID();
    const seed = randomBytes(32).toString("hex");
    const users = ["p", "q", "r", "s"];
    for (const u of users) await queue.enter(c, u, `t${u}`, T0, entry(seed, u));
    const lose = async () => {
      const k = queueKeys(prefix, c);
      const tickets = [...users, "new"].map((u) => k.ticket(u));
      await redis.del(
        k.seq,
        k.waiting,
        k.active,
        k.seen,
        k.admits,
        k.meta,
        k.prequeue,
        k.entrants,
        ...tickets,
      );
    };
    await lose();
    const token = (u: string) => ({ ...ref(c, u, `t${u}`), seq: 0, issuedAt: T0 / 1000 });
    const now = T0 + 10_000;
    expect((await queue.views([token("p")], now, true))[0]).toMatchObject({ status: "EXPIRED", lost: true });
    // p and q come back before the draw: into the pre-queue, drawn with the others' absence.
    expect(
      await prequeue.restorePrequeued(token("p"), entry(seed, "p", now + 1_000), null, now),
    ).toMatchObject({
      status: "PREQUEUED",
    });
    expect(await prequeue.restorePrequeued(token("p"), entry(seed, "p", now + 1_000), null, now)).toBeNull();
    await prequeue.restorePrequeued(token("q"), entry(seed, "q", now + 1_000), null, now);
    expect(await prequeue.draw(c, now + 1_000)).toMatchObject({ drew: true, entrants: 2 });
    // An ordinary entrant after the draw, then r comes back: r goes to its drawn place, ahead.
    await queue.enter(c, "new", "tnew", now + 2_000);
    await prequeue.restorePrequeued(token("r"), entry(seed, "r", now + 1_000), null, now + 3_000);
    // Redis loses the data again, draw record included: MySQL's drawn_at places s.
    await lose();
    const s = await prequeue.restorePrequeued(
      token("s"),
      entry(seed, "s", now + 1_000),
      now + 1_000,
      now + 4_000,
    );
    expect(s).toMatchObject({ status: "WAITING", rank: 0 });
    for (const u of ["p", "q", "r"])
      await prequeue.restorePrequeued(token(u), entry(seed, u, now + 1_000), now + 1_000, now + 4_000);
    const expected = [...users].sort((x, y) => (keyOf(seed, x) < keyOf(seed, y) ? -1 : 1));
    const views = await queue.views(expected.map(token), now + 5_000, false);
    expect(views.map((v) => [v.status, v.rank])).toEqual(expected.map((_, i) => ["WAITING", i]));
  });
});
