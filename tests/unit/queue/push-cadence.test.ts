// The push cadence and back-pressure of the live queue updates, on fakes and a fake clock:
// the front gets every change at once, the back a fresh position within the back period, and a
// subscriber whose last push is unwritten skips WAITING updates but never ACTIVE or the end.
import { describe, expect, it } from "vitest";
import { dueAt, isFront } from "../../../src/modules/queue/push-cadence.js";
import type { QueueTicketData } from "../../../src/modules/queue/queue.service.js";
import { CONCERT, queueOnFakes } from "./setup.js";

const CADENCE = { frontPlaces: 2, backMs: 4000 };

/**
 * The next value. A consumer that has taken a value and not asked again is "still writing" it
 * (graphql-ws asks for the next only once the last is written to the socket).
 */
async function take(stream: AsyncIterator<QueueTicketData>): Promise<QueueTicketData | "done"> {
  const r = await stream.next();
  return r.done ? "done" : r.value;
}

/** Reads what a stream pushes, in order, as it arrives. */
function collect(stream: AsyncIterator<QueueTicketData>): QueueTicketData[] {
  const seen: QueueTicketData[] = [];
  void (async () => {
    for (;;) {
      const r = await stream.next();
      if (r.done) return;
      seen.push(r.value);
    }
  })();
  return seen;
}
const settle = () => new Promise((r) => setImmediate(r));

/** Moves the fake clock on, runs the catch-up and lets its pushes land. */
async function catchUpAfter(q: ReturnType<typeof queueOnFakes>, ms: number): Promise<void> {
  q.clock.advance(ms);
  await q.hub.catchUp();
  await settle();
}

/**
 * A back subscriber (place 3, the last phase of the back period) behind a fan who has just left;
 * the change is not announced yet. `maxAdmissionRate`: the policy's fastest rate (none: 0).
 */
async function backBehindALeaver(maxAdmissionRate?: () => number) {
  const q = queueOnFakes(
    { maxActive: 1, tickMs: 600_000 },
    { cadence: CADENCE, random: () => 0.9999, ...(maxAdmissionRate && { maxAdmissionRate }) },
  );
  await q.enter(1); // ACTIVE
  const ahead = await q.enter(2); // position 1
  await q.enter(3); // position 2
  const back = collect(await q.hub.subscribe((await q.enter(4)).token)); // position 3
  await settle();
  await q.service.leave(ahead.token);
  return { q, back };
}

describe("push cadence rules", () => {
  it("counts as front every ticket not WAITING, the first places, and those expected within two back periods", () => {
    const waiting = (position: number, estimatedWaitSeconds: number) => ({
      status: "WAITING",
      position,
      estimatedWaitSeconds,
    });
    expect(isFront(CADENCE, { status: "ACTIVE", position: null, estimatedWaitSeconds: 0 })).toBe(true);
    expect(isFront(CADENCE, { status: "PREQUEUED", position: null, estimatedWaitSeconds: 0 })).toBe(true);
    expect(isFront(CADENCE, waiting(2, 600))).toBe(true);
    expect(isFront(CADENCE, waiting(3, 600))).toBe(false);
    expect(isFront(CADENCE, waiting(3000, 8))).toBe(true);
    expect(isFront(CADENCE, waiting(3000, 9))).toBe(false);
  });

  it("also counts as front who could reach the first places at the fastest rate the policy admits", () => {
    // The observed rate (a one-minute average) says 600 s; at 375 admissions/s the line can
    // bring place 3,000 to the front within two back periods (8 s).
    const waiting = (position: number) => ({ status: "WAITING", position, estimatedWaitSeconds: 600 });
    expect(isFront(CADENCE, waiting(3000))).toBe(false);
    expect(isFront(CADENCE, waiting(3000), 375)).toBe(true);
    expect(isFront(CADENCE, waiting(3001), 375)).toBe(false);
  });

  it("brings a missed change due between half and all of the back period later", () => {
    expect(dueAt(CADENCE, 10_000, 0)).toBe(12_000);
    expect(dueAt(CADENCE, 10_000, 0.9999)).toBeLessThanOrEqual(14_000);
    expect(dueAt(CADENCE, 10_000, 0.9999)).toBeGreaterThan(13_990);
  });
});

describe("queue live updates at scale", () => {
  it("pushes a change at once to the front, and to the back only once it comes due", async () => {
    const q = queueOnFakes({ maxActive: 1, tickMs: 600_000 }, { cadence: CADENCE, random: () => 0.9999 });
    await q.enter(1); // ACTIVE
    const ahead = await q.enter(2); // position 1
    const front = collect(await q.hub.subscribe((await q.enter(3)).token)); // position 2
    const back = collect(await q.hub.subscribe((await q.enter(4)).token)); // position 3
    await settle();
    expect([front.map((t) => t.position), back.map((t) => t.position)]).toEqual([[2], [3]]);

    await q.service.leave(ahead.token);
    q.feed.fire(CONCERT, q.clock.now().getTime());
    await settle();
    expect(front.map((t) => t.position)).toEqual([2, 1]);
    expect(back.map((t) => t.position)).toEqual([3]);

    await catchUpAfter(q, 3900);
    expect(back.map((t) => t.position)).toEqual([3]);
    await catchUpAfter(q, 100);
    expect(back.map((t) => t.position)).toEqual([3, 2]);
  });

  it("counts the back period from the change itself, however late this instance heard of it", async () => {
    const { q, back } = await backBehindALeaver();
    // The change happened 1.5 s ago (a busy instance, a slow event): due 4 s after it, not after now.
    q.feed.fire(CONCERT, q.clock.now().getTime() - 1500);
    await settle();
    expect(back.map((t) => t.position)).toEqual([3]);
    await catchUpAfter(q, 2400);
    expect(back.map((t) => t.position)).toEqual([3]);
    await catchUpAfter(q, 100);
    expect(back.map((t) => t.position)).toEqual([3, 2]);
  });

  it("never counts the back period from a change stamped later than now (another instance's clock ahead)", async () => {
    const { q, back } = await backBehindALeaver();
    q.feed.fire(CONCERT, q.clock.now().getTime() + 60_000);
    await settle();
    await catchUpAfter(q, 4000);
    expect(back.map((t) => t.position)).toEqual([3, 2]);
  });

  it("pushes every change at once to a subscriber the policy's rate could bring to the front, whatever the observed rate says", async () => {
    // Admission just started: no rate observed yet (a 10-minute tick), so the estimate says far;
    // but the policy may admit 1 a second, and place 3 is then within two back periods (8 s).
    const { q, back: soon } = await backBehindALeaver(() => 1);
    q.feed.fire(CONCERT, q.clock.now().getTime());
    await settle();
    expect(soon.map((t) => t.position)).toEqual([3, 2]);
  });

  it("refreshes a back subscriber on the next change once due, without a catch-up run", async () => {
    const q = queueOnFakes({ maxActive: 1, tickMs: 600_000 }, { cadence: CADENCE, random: () => 0 });
    await q.enter(1);
    const first = await q.enter(2);
    const second = await q.enter(3);
    await q.enter(4);
    const back = collect(await q.hub.subscribe((await q.enter(5)).token)); // position 4
    await settle();
    await q.service.leave(first.token);
    q.feed.fire(CONCERT, q.clock.now().getTime());
    await settle();
    expect(back.map((t) => t.position)).toEqual([4]);
    q.clock.advance(2000);
    await q.service.leave(second.token);
    q.feed.fire(CONCERT, q.clock.now().getTime());
    await settle();
    expect(back.map((t) => t.position)).toEqual([4, 2]);
  });

  it("pushes admission at once to a subscriber counted as back, and ends its stream after EXPIRED", async () => {
    const q = queueOnFakes(
      { maxActive: 1, activeMs: 10_000, tickMs: 600_000 },
      { cadence: { frontPlaces: 0, backMs: 4000 } },
    );
    const holder = await q.enter(1);
    const me = await q.enter(2);
    const seen = collect(await q.hub.subscribe(me.token));
    await settle();
    await q.service.leave(holder.token);
    await q.service.tick();
    // Counted as back (front of 0 places), yet a WAITING → ACTIVE read by the next due run is
    // delivered; a later change of an ACTIVE ticket is front and pushed at once.
    q.feed.fire(CONCERT, q.clock.now().getTime());
    await settle();
    expect(seen.map((t) => t.status)).toEqual(["WAITING"]);
    q.clock.advance(4000);
    await q.hub.catchUp();
    await settle();
    expect(seen.map((t) => t.status)).toEqual(["WAITING", "ACTIVE"]);
    q.clock.advance(10_000);
    await q.service.tick();
    q.feed.fire(CONCERT, q.clock.now().getTime());
    await settle();
    expect(seen.map((t) => t.status)).toEqual(["WAITING", "ACTIVE", "EXPIRED"]);
    expect(q.hub.size).toBe(0);
  });
});

describe("the back read a slice at a time", () => {
  it("lets a change that arrives while the back is read reach the front before the rest of the back", async () => {
    const q = queueOnFakes({ maxActive: 1, tickMs: 600_000 }, { cadence: CADENCE, random: () => 0.5 });
    await q.enter(1); // ACTIVE
    const ahead = await q.enter(2); // position 1
    const front = collect(await q.hub.subscribe((await q.enter(3)).token)); // position 2
    const back: QueueTicketData[][] = [];
    for (let i = 4; i < 4 + 1200; i++) back.push(collect(await q.hub.subscribe((await q.enter(i)).token)));
    await settle();
    expect(front.map((t) => t.position)).toEqual([2]);

    // Every read from here on is recorded; the first slice of the back is held in flight.
    const reads: number[] = [];
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const views = q.store.views.bind(q.store);
    q.store.views = async (refs, now, touch) => {
      reads.push(refs.length);
      if (reads.length === 2) await held;
      return views(refs, now, touch);
    };
    const heartbeat = q.hub.heartbeat(); // the front (1) and then the whole back (1,200)
    await settle();
    expect(reads).toEqual([1, 500]);

    await q.service.leave(ahead.token); // everyone moves up one place
    q.feed.fire(CONCERT, q.clock.now().getTime());
    release();
    await heartbeat;
    await settle();
    // leave's own read (1), then the front with the change (the first place, and the back
    // subscriber the held slice found at place 2), then the rest of the back.
    expect(reads).toEqual([1, 500, 1, 2, 500, 200]);
    expect(front.map((t) => t.position)).toEqual([2, 1]);
    // The back slices read after the change carry the new places; none is lost.
    expect(back.every((seen) => seen.length >= 1 && seen.length <= 2)).toBe(true);
    expect(back.map((seen) => seen.at(-1)!.position).slice(-200)).toEqual(
      Array.from({ length: 200 }, (_, i) => 1002 + i),
    );
  });
});

describe("back-pressure", () => {
  it("skips WAITING updates while the last push is unwritten, then delivers the fresh position", async () => {
    let skipped = 0;
    const q = queueOnFakes({ maxActive: 1 }, { random: () => 0, observeSkip: () => void (skipped += 1) });
    await q.enter(1);
    const ahead = [await q.enter(2), await q.enter(3), await q.enter(4)];
    const stream = await q.hub.subscribe((await q.enter(5)).token); // position 4
    expect(await take(stream)).toMatchObject({ position: 4 });
    // The consumer is still writing position 4 (its socket is full): WAITING updates are skipped.
    for (const t of ahead) {
      await q.service.leave(t.token);
      q.feed.fire(CONCERT, q.clock.now().getTime());
      await settle();
    }
    expect(skipped).toBe(3);
    // The socket drained and asks again: the next read carries the fresh position, not 3 or 2.
    const next = take(stream);
    await settle();
    q.clock.advance(4000);
    await q.hub.catchUp();
    expect(await next).toMatchObject({ position: 1 });
    expect(skipped).toBe(3);
  });

  it("never skips ACTIVE or EXPIRED, and keeps the order", async () => {
    let skipped = 0;
    const q = queueOnFakes(
      { maxActive: 1, activeMs: 10_000 },
      { random: () => 0, observeSkip: () => void (skipped += 1) },
    );
    const holder = await q.enter(1);
    const ahead = await q.enter(2);
    const stream = await q.hub.subscribe((await q.enter(3)).token); // position 2
    expect(await take(stream)).toMatchObject({ position: 2 });
    await q.service.leave(ahead.token); // position 1, skipped: position 2 is still being written
    q.feed.fire(CONCERT, q.clock.now().getTime());
    await settle();
    await q.service.leave(holder.token);
    await q.service.tick(); // ACTIVE, while position 2 is still being written
    q.feed.fire(CONCERT, q.clock.now().getTime());
    await settle();
    q.clock.advance(10_000);
    await q.service.tick(); // EXPIRED
    q.feed.fire(CONCERT, q.clock.now().getTime());
    await settle();
    const rest = [await take(stream), await take(stream), await take(stream)];
    expect(rest.map((t) => (t === "done" ? t : [t.status, t.position]))).toEqual([
      ["ACTIVE", null],
      ["EXPIRED", null],
      "done",
    ]);
    expect(skipped).toBe(1);
  });
});
