import { describe, expect, it } from "vitest";
import { CONCERT, OTHER_CONCERT, errorOf, queueOnFakes } from "./setup.js";

describe("queue service", () => {
  it("admits at once while nobody waits and a slot is free, then queues in entry order", async () => {
    const q = queueOnFakes({ maxActive: 2 });
    const tickets = [await q.enter(1), await q.enter(2), await q.enter(3), await q.enter(4)];
    expect(tickets.map((t) => [t.status, t.position])).toEqual([
      ["ACTIVE", null],
      ["ACTIVE", null],
      ["WAITING", 1],
      ["WAITING", 2],
    ]);
    expect(tickets[0]!.activeUntil?.getTime()).toBe(q.clock.now().getTime() + 60_000);
  });

  it("returns the same token and place when a live ticket is issued again", async () => {
    const q = queueOnFakes({ maxActive: 1 });
    await q.enter(1);
    const first = await q.enter(2);
    const again = await q.enter(2);
    expect(again).toEqual(first);
  });

  it("enters again at the back after the ticket EXPIRED", async () => {
    const q = queueOnFakes({ maxActive: 1 });
    const first = await q.enter(1);
    await q.enter(2);
    await q.service.leave(first.token);
    const back = await q.enter(1);
    expect(back.token).not.toBe(first.token);
    expect([back.status, back.position]).toEqual(["WAITING", 2]);
    expect((await q.service.status(first.token)).status).toBe("EXPIRED");
  });

  it("refuses a wrong access key and an unknown concert", async () => {
    const q = queueOnFakes();
    const u = q.user(1);
    expect((await errorOf(q.service.issue(u.userId, "nope", CONCERT))).code).toBe("UNAUTHENTICATED");
    expect((await errorOf(q.service.issue(u.userId, u.accessKey, "missing"))).code).toBe("NOT_FOUND");
  });

  it("keeps one ticket per user and concert, independent across concerts", async () => {
    const q = queueOnFakes({ maxActive: 1 });
    const a = await q.enter(1, CONCERT);
    const b = await q.enter(1, OTHER_CONCERT);
    expect(a.token).not.toBe(b.token);
    expect([a.status, b.status]).toEqual(["ACTIVE", "ACTIVE"]);
  });

  it("estimates the wait from the observed rate, else from the configured rate", async () => {
    const q = queueOnFakes({ maxActive: 1, admitPerTick: 2, tickMs: 1000 });
    await q.enter(1);
    for (let i = 2; i <= 11; i++) await q.enter(i);
    const last = await q.service.status((await q.enter(11)).token);
    expect(last.position).toBe(10);
    expect(last.estimatedWaitSeconds).toBe(5); // 10 at 2 per second
    q.store.observedRate = 0.5;
    expect((await q.service.status(last.token)).estimatedWaitSeconds).toBe(20);
  });

  it("drops a waiter idle longer than QUEUE_IDLE_SECONDS, while polling keeps the place", async () => {
    const q = queueOnFakes({ maxActive: 1, idleMs: 30_000 });
    await q.enter(1);
    const silent = await q.enter(2);
    const polling = await q.enter(3);
    q.clock.advance(20_000);
    await q.service.status(polling.token);
    q.clock.advance(15_000);
    await q.service.tick();
    expect((await q.service.status(silent.token)).status).toBe("EXPIRED");
    expect((await q.service.status(polling.token)).position).toBe(1);
  });

  it("publishes one change per concert per tick, and none when nothing changed", async () => {
    const q = queueOnFakes({ maxActive: 1, activeMs: 10_000 });
    await q.enter(1, CONCERT);
    await q.enter(2, CONCERT);
    await q.enter(3, OTHER_CONCERT);
    await q.service.tick();
    expect(q.events).toEqual([]);
    q.clock.advance(10_000);
    await q.service.tick();
    expect(q.events.map((e) => e.concertId).sort()).toEqual([CONCERT, OTHER_CONCERT].sort());
  });

  it("fills a slot freed by leaveQueue at the next tick, in entry order", async () => {
    const q = queueOnFakes({ maxActive: 1 });
    const first = await q.enter(1);
    const second = await q.enter(2);
    const third = await q.enter(3);
    const left = await q.service.leave(first.token);
    expect(left.status).toBe("EXPIRED");
    expect((await q.service.status(second.token)).status).toBe("WAITING");
    await q.service.tick();
    expect((await q.service.status(second.token)).status).toBe("ACTIVE");
    expect((await q.service.status(third.token)).position).toBe(1);
  });
});
