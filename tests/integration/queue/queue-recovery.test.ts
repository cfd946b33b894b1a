// Recovery after Redis lost its data, against real Redis: the restore script, the loss
// detection of the enter and view scripts, and the admission pause. A loss is made by deleting
// every key under the test's prefix (what a restart without persistence leaves: nothing).
import { randomUUID } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PaymentHistory } from "../../../src/modules/queue/payment-history.repository.js";
import { RecoveringQueueStore } from "../../../src/modules/queue/queue-recovery.js";
import {
  type QueueSettings,
  type StoredTicket,
  type TicketRef,
} from "../../../src/modules/queue/queue.model.js";
import { RedisQueueStore } from "../../../src/modules/queue/queue.store.js";
import { createLogger } from "../../../src/platform/logger.js";

const REDIS_URL = process.env["TEST_REDIS_URL"] ?? "redis://127.0.0.1:6379";
const T0 = Date.parse("2030-01-01T00:00:00Z");
const LOST_AT = T0 + 5_000;
const SETTINGS: QueueSettings = {
  maxActive: 1,
  admitPerTick: 5,
  tickMs: 1000,
  activeMs: 60_000,
  idleMs: 30_000,
  maxAgeMs: 86_400_000,
};

class Paid implements PaymentHistory {
  readonly users = new Set<string>();
  async hasPaid(userId: string): Promise<boolean> {
    return this.users.has(userId);
  }
}

describe("queue recovery after Redis lost its data", () => {
  let redis: Redis;
  let prefix: string;
  const log = createLogger("silent");

  beforeAll(() => {
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    const keys = await redis.keys("test:queue-recovery:*");
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  const fresh = () => {
    prefix = `test:queue-recovery:${randomUUID()}:`;
    return new RedisQueueStore(redis, prefix, SETTINGS);
  };
  const loseEverything = async () => {
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
  };
  /** The ref a signed token gives: entry number and signing time (seconds) included. */
  const tokenRef = (c: string, userId: string, t: StoredTicket): Required<TicketRef> => ({
    concertId: c,
    userId,
    ticketId: t.ticketId,
    seq: t.seq,
    issuedAt: Math.floor(t.issuedAtMs / 1000),
  });
  /** A holder takes the only slot, then w1..w5 wait. */
  const fill = async (store: RedisQueueStore, c: string) => {
    const holder = await store.enter(c, "holder", "t-holder", T0);
    const waiters: Required<TicketRef>[] = [];
    for (let i = 1; i <= 5; i++)
      waiters.push(tokenRef(c, `w${i}`, await store.enter(c, `w${i}`, `t-w${i}`, T0)));
    return { holder: tokenRef(c, "holder", holder), waiters };
  };

  it("restores waiters presented in shuffled order at their old places, in their old order", async () => {
    const c = randomUUID();
    const { holder, waiters } = await fill(fresh(), c);
    await loseEverything();
    // Another process (no memory of this concert) reads the tokens after the loss.
    const recovering = new RecoveringQueueStore({
      inner: new RedisQueueStore(redis, prefix, SETTINGS),
      payments: new Paid(),
      log,
    });
    for (const i of [3, 0, 4, 1]) await recovering.views([waiters[i]!], LOST_AT, true);
    // The holder was ACTIVE: it comes back WAITING at its own (first) place.
    await recovering.views([holder], LOST_AT, true);
    const views = await recovering.views(
      [holder, ...waiters.slice(0, 2), waiters[3]!, waiters[4]!],
      LOST_AT,
      true,
    );
    expect(views.map((v) => [v.status, v.rank])).toEqual([
      ["WAITING", 0],
      ["WAITING", 1],
      ["WAITING", 2],
      ["WAITING", 3],
      ["WAITING", 4],
    ]);
    // w3 comes back last, and slots in between w2 and w4.
    const [w3] = await recovering.views([waiters[2]!], LOST_AT + 10, true);
    expect([w3!.status, w3!.rank]).toEqual(["WAITING", 3]);
    // Restoring is idempotent: presenting a token again changes nothing.
    const again = await recovering.views(waiters, LOST_AT + 20, true);
    expect(again.map((v) => v.rank)).toEqual([1, 2, 3, 4, 5]);
  });

  it("puts new entrants behind every restored ticket, detected by a process that saw the old entry numbers", async () => {
    const c = randomUUID();
    const store = fresh();
    const { waiters } = await fill(store, c);
    await loseEverything();
    // The first call after the loss is a new entry on the process that issued seq 1..6.
    const newcomer = await store.enter(c, "new", "t-new", LOST_AT);
    expect(newcomer.seq).toBe(7);
    // Nobody waits and the slot is free, but admission is paused: the newcomer waits too.
    expect(newcomer.status).toBe("WAITING");
    const recovering = new RecoveringQueueStore({ inner: store, payments: new Paid(), log });
    await recovering.views([waiters[4]!, waiters[0]!], LOST_AT + 1, true);
    const [n, w5, w1] = await recovering.views(
      [{ concertId: c, userId: "new", ticketId: "t-new" }, waiters[4]!, waiters[0]!],
      LOST_AT + 2,
      true,
    );
    expect([w1!.rank, w5!.rank, n!.rank]).toEqual([0, 1, 2]);
  });

  it("puts new entrants behind restored tickets on a process without that memory", async () => {
    const c = randomUUID();
    const { waiters } = await fill(fresh(), c);
    await loseEverything();
    const other = new RedisQueueStore(redis, prefix, SETTINGS);
    const recovering = new RecoveringQueueStore({ inner: other, payments: new Paid(), log });
    await recovering.views([waiters[4]!], LOST_AT, true); // seq 6: the counter goes to 6
    expect((await other.enter(c, "new", "t-new", LOST_AT + 1)).seq).toBe(7);
  });

  it("admits nobody during the grace period (the idle limit) after the loss, then in entry order", async () => {
    const c = randomUUID();
    const { waiters } = await fill(fresh(), c);
    await loseEverything();
    const other = new RedisQueueStore(redis, prefix, SETTINGS);
    const recovering = new RecoveringQueueStore({ inner: other, payments: new Paid(), log });
    await recovering.views([waiters[2]!, waiters[0]!], LOST_AT, true);
    for (const at of [LOST_AT + 1000, LOST_AT + 15_000, LOST_AT + SETTINGS.idleMs - 1000]) {
      const tick = await other.admit(c, at);
      expect(tick).toMatchObject({ ran: true, admitted: 0, active: 0, waiting: 2 });
      await recovering.views([waiters[2]!, waiters[0]!], at, true); // they keep polling
    }
    const after = await other.admit(c, LOST_AT + SETTINGS.idleMs);
    expect(after).toMatchObject({ admitted: 1, active: 1, waiting: 1 });
    const [w1, w3] = await recovering.views([waiters[0]!, waiters[2]!], LOST_AT + SETTINGS.idleMs, true);
    expect([w1!.status, w3!.status, w3!.rank]).toEqual(["ACTIVE", "WAITING", 0]);
  });

  it("does not restore a user who paid for the concert", async () => {
    const c = randomUUID();
    const { waiters } = await fill(fresh(), c);
    await loseEverything();
    const paid = new Paid();
    paid.users.add("w2");
    const recovering = new RecoveringQueueStore({
      inner: new RedisQueueStore(redis, prefix, SETTINGS),
      payments: paid,
      log,
    });
    const views = await recovering.views(waiters.slice(0, 3), LOST_AT, true);
    expect(views.map((v) => v.status)).toEqual(["WAITING", "EXPIRED", "WAITING"]);
    expect(await redis.hget(`${prefix}queue:{${c}}:u:w2`, "ticketId")).toBeNull();
  });

  it("never resurrects a ticket that ended while the data was intact", async () => {
    const c = randomUUID();
    fresh();
    const settings = { ...SETTINGS, maxActive: 2, activeMs: 10_000, idleMs: 5_000 };
    const s = new RedisQueueStore(redis, prefix, settings);
    const recovering = new RecoveringQueueStore({ inner: s, payments: new Paid(), log });
    const left = tokenRef(c, "left", await s.enter(c, "left", "t-left", T0));
    const timedOut = tokenRef(c, "late", await s.enter(c, "late", "t-late", T0));
    const idle = tokenRef(c, "idle", await s.enter(c, "idle", "t-idle", T0));
    const replaced = tokenRef(c, "again", await s.enter(c, "again", "t-again", T0));
    await s.end(left, "LEFT");
    await s.end(replaced, "LEFT");
    await s.enter(c, "again", "t-again-2", T0 + 1);
    await s.admit(c, T0 + 10_000); // late's active time ran out; idle was silent for 10 s
    const later = T0 + 20_000;
    const views = await recovering.views([left, timedOut, idle, replaced], later, true);
    expect(views.map((v) => [v.status, v.lost ?? false])).toEqual([
      ["EXPIRED", false],
      ["EXPIRED", false],
      ["EXPIRED", false],
      ["EXPIRED", false],
    ]);
    // Asked directly, the restore script refuses too (the ticket is stored, not lost).
    for (const ref of [left, timedOut, idle, replaced]) expect(await s.restore(ref, later)).toBeNull();
    expect(await redis.hget(`${prefix}queue:{${c}}:meta`, "restoredUntil")).toBeNull();
  });

  it("does not restore a token signed after the data set began when its ticket is missing", async () => {
    const c = randomUUID();
    const s = fresh();
    await s.enter(c, "first", "t-first", T0); // epoch T0
    const stray: Required<TicketRef> = {
      concertId: c,
      userId: "ghost",
      ticketId: "t-ghost",
      seq: 1,
      issuedAt: T0 / 1000 + 1,
    };
    const [view] = await s.views([stray], T0 + 2000, true);
    expect(view).toMatchObject({ status: "EXPIRED" });
    expect(view!.lost).toBeUndefined();
    expect(await s.restore(stray, T0 + 2000)).toBeNull();
  });

  it("lets one of two instances restoring the same token at once insert it, once", async () => {
    const c = randomUUID();
    const { waiters } = await fill(fresh(), c);
    await loseEverything();
    const a = new RecoveringQueueStore({
      inner: new RedisQueueStore(redis, prefix, SETTINGS),
      payments: new Paid(),
      log,
    });
    const b = new RecoveringQueueStore({
      inner: new RedisQueueStore(new Redis(REDIS_URL), prefix, SETTINGS),
      payments: new Paid(),
      log,
    });
    const views = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 ? a : b).views([waiters[1]!], LOST_AT, true)),
    );
    for (const [v] of views) expect([v!.status, v!.rank]).toEqual(["WAITING", 0]);
    expect(await redis.zcard(`${prefix}queue:{${c}}:waiting`)).toBe(1);
  });
});
