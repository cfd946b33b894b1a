import { describe, expect, it } from "vitest";
import type { QueueTicketData } from "../../../src/modules/queue/queue.service.js";
import { CONCERT, errorOf, queueOnFakes } from "./setup.js";

async function take(it: AsyncIterator<QueueTicketData>): Promise<QueueTicketData | "done"> {
  const r = await it.next();
  return r.done ? "done" : r.value;
}

describe("queue live updates", () => {
  it("pushes the current ticket at once, then each change of position, then EXPIRED and completes", async () => {
    const q = queueOnFakes({ maxActive: 1, activeMs: 10_000 });
    await q.enter(1);
    const ahead = await q.enter(2);
    const me = await q.enter(3);
    const stream = await q.hub.subscribe(me.token);
    expect(await take(stream)).toMatchObject({ status: "WAITING", position: 2 });

    await q.service.leave(ahead.token);
    q.feed.fire(CONCERT);
    expect(await take(stream)).toMatchObject({ status: "WAITING", position: 1 });

    await q.service.tick();
    q.clock.advance(10_000);
    await q.service.tick();
    q.feed.fire(CONCERT);
    expect(await take(stream)).toMatchObject({ status: "ACTIVE", position: null });

    q.clock.advance(10_000);
    await q.service.tick();
    q.feed.fire(CONCERT);
    expect(await take(stream)).toMatchObject({ status: "EXPIRED" });
    expect(await take(stream)).toBe("done");
    expect(q.hub.size).toBe(0);
  });

  it("pushes the first ticket at once to a subscriber that opens just as a refresh run ends, with no event or catch-up after it", async () => {
    const q = queueOnFakes({ maxActive: 2 });
    const first = await q.enter(1);
    const second = await q.enter(2);
    // The second subscribe resolves between the end of the first one's run and its clean-up.
    const a = await q.hub.subscribe(first.token);
    const b = await q.hub.subscribe(second.token);
    const seen: string[] = [];
    const read = async (name: string, it: AsyncIterator<QueueTicketData>) => {
      const r = await it.next();
      if (!r.done) seen.push(`${name}:${r.value.status}`);
    };
    void read("a", a);
    void read("b", b);
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    expect(seen.sort()).toEqual(["a:ACTIVE", "b:ACTIVE"]);
  });

  it("recomputes all local subscribers of a concert in one store round trip per event", async () => {
    const q = queueOnFakes({ maxActive: 1 });
    await q.enter(1);
    const ahead = await q.enter(2);
    const streams = [];
    for (let i = 3; i <= 52; i++) streams.push(await q.hub.subscribe((await q.enter(i)).token));
    for (const s of streams) await take(s);
    const calls = q.store.viewCalls;
    await q.service.leave(ahead.token);
    q.feed.fire(CONCERT);
    const moved = await Promise.all(streams.map((s) => take(s)));
    expect(moved.map((t) => (t === "done" ? null : t.position))).toEqual(streams.map((_, i) => i + 1));
    // leave's own read + one pipeline for all 50 subscribers
    expect(q.store.viewCalls - calls).toBe(2);
  });

  it("pushes nothing to a subscriber whose ticket did not change", async () => {
    const q = queueOnFakes({ maxActive: 1 });
    await q.enter(1);
    const a = await q.hub.subscribe((await q.enter(2)).token);
    const b = await q.hub.subscribe((await q.enter(3)).token);
    await take(a);
    await take(b);
    const leaver = await q.enter(4);
    await q.service.leave(leaver.token); // behind both: nobody moves
    q.feed.fire(CONCERT);
    await q.hub.heartbeat();
    let pending = true;
    void a.next().then(() => (pending = false));
    await new Promise((r) => setImmediate(r));
    expect(pending).toBe(true);
    await a.return?.();
  });

  it("keeps a subscriber's place alive through heartbeats", async () => {
    const q = queueOnFakes({ maxActive: 1, idleMs: 30_000, activeMs: 600_000 });
    await q.enter(1);
    const me = await q.enter(2);
    const stream = await q.hub.subscribe(me.token);
    await take(stream);
    for (let i = 0; i < 4; i++) {
      q.clock.advance(20_000);
      await q.hub.heartbeat();
      await q.service.tick();
    }
    expect((await q.service.status(me.token)).status).toBe("WAITING");
  });

  it("unregisters a subscriber that unsubscribes", async () => {
    const q = queueOnFakes({ maxActive: 1 });
    await q.enter(1);
    const stream = await q.hub.subscribe((await q.enter(2)).token);
    await take(stream);
    expect(q.hub.size).toBe(1);
    await stream.return?.();
    expect(q.hub.size).toBe(0);
  });

  it("fails the stream with UNAUTHENTICATED for a bad token, before registering anything", async () => {
    const q = queueOnFakes();
    const stream = await q.hub.subscribe("bad.token");
    expect((await errorOf(stream.next())).code).toBe("UNAUTHENTICATED");
    expect(q.hub.size).toBe(0);
  });
});
