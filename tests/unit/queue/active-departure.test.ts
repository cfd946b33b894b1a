// An ACTIVE ticket that ends (leaveQueue, payment) moves nobody's position: its event names the
// user, and instances refresh only that user's subscribers instead of every subscriber.
import { describe, expect, it } from "vitest";
import type { QueueTicketData } from "../../../src/modules/queue/queue.service.js";
import type { TicketRef } from "../../../src/modules/queue/queue.model.js";
import { CONCERT, queueOnFakes } from "./setup.js";

async function take(it: AsyncIterator<QueueTicketData>): Promise<QueueTicketData | "done"> {
  const r = await it.next();
  return r.done ? "done" : r.value;
}

describe("ending an ACTIVE ticket", () => {
  it("publishes an event naming only that user when an ACTIVE ticket leaves, and a full one for a WAITING ticket", async () => {
    const q = queueOnFakes({ maxActive: 1 });
    const active = await q.enter(1);
    const waiting = await q.enter(2);
    await q.service.leave(active.token);
    await q.service.leave(waiting.token);
    expect(q.events.map((e) => e.userId ?? "everyone")).toEqual([active.userId, "everyone"]);
  });

  it("names the payer when a payment ends the pass", async () => {
    const q = queueOnFakes({ maxActive: 1 });
    const payer = await q.enter(1);
    await q.access.finishAfterPayment(q.codec.verify(payer.token));
    expect(q.events).toEqual([expect.objectContaining({ concertId: CONCERT, userId: payer.userId })]);
  });

  it("refreshes only the named user's subscribers, who get EXPIRED; the others read nothing", async () => {
    const q = queueOnFakes({ maxActive: 1 });
    const active = await q.enter(1);
    const mine = await q.hub.subscribe(active.token);
    const others = [];
    for (let i = 2; i <= 21; i++) others.push(await q.hub.subscribe((await q.enter(i)).token));
    expect(await take(mine)).toMatchObject({ status: "ACTIVE" });
    for (const s of others) expect(await take(s)).toMatchObject({ status: "WAITING" });

    const batches: number[] = [];
    const views = q.store.views.bind(q.store);
    q.store.views = (refs: readonly TicketRef[], nowMs: number, touch: boolean) => {
      batches.push(refs.length);
      return views(refs, nowMs, touch);
    };
    await q.service.leave(active.token);
    for (const ch of q.feed.channels.get(CONCERT) ?? []) ch.send(q.events.at(-1));
    expect(await take(mine)).toMatchObject({ status: "EXPIRED" });
    expect(await take(mine)).toBe("done");
    // leave's own read, then one read of the one named subscriber (not 21)
    expect(batches).toEqual([1, 1]);
    expect(q.hub.size).toBe(20);
  });

  it("finds every subscription of the named user (two tabs), and only the one left open once a tab closed", async () => {
    const q = queueOnFakes({ maxActive: 2 });
    const first = await q.enter(1);
    const second = await q.enter(2);
    const tabs = [await q.hub.subscribe(first.token), await q.hub.subscribe(first.token)];
    const closing = await q.hub.subscribe(second.token);
    const open = await q.hub.subscribe(second.token);
    for (const s of [...tabs, closing, open]) expect(await take(s)).toMatchObject({ status: "ACTIVE" });
    await closing.return?.();
    expect(q.hub.size).toBe(3);

    const departAndTell = async (token: string) => {
      await q.service.leave(token);
      for (const ch of q.feed.channels.get(CONCERT) ?? []) ch.send(q.events.at(-1));
    };
    await departAndTell(first.token);
    for (const tab of tabs) expect(await take(tab)).toMatchObject({ status: "EXPIRED" });
    await departAndTell(second.token);
    expect(await take(open)).toMatchObject({ status: "EXPIRED" });
    expect(await take(open)).toBe("done");
    expect(q.hub.size).toBe(0);
  });
});
