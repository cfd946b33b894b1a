import { describe, expect, it } from "vitest";
import { QueueAccess, READ_PASS_MS } from "../../../src/modules/queue/queue-access.js";
import { CONCERT, OTHER_CONCERT, errorOf, queueOnFakes } from "./setup.js";

describe("queue guard", () => {
  it("lets an ACTIVE token through for its own concert", async () => {
    const q = queueOnFakes();
    const ticket = await q.enter(1);
    const caller = await q.access.authenticate(ticket.token);
    await expect(q.access.requireActive(caller, CONCERT)).resolves.toBeUndefined();
    await expect(q.access.requireActive(caller)).resolves.toBeUndefined();
  });

  it("answers a token for another concert with FORBIDDEN", async () => {
    const q = queueOnFakes();
    const caller = await q.access.authenticate((await q.enter(1)).token);
    expect((await errorOf(q.access.requireActive(caller, OTHER_CONCERT))).code).toBe("FORBIDDEN");
  });

  it("answers a WAITING token with QUEUE_NOT_ADMITTED carrying the numeric position", async () => {
    const q = queueOnFakes({ maxActive: 1 });
    await q.enter(1);
    await q.enter(2);
    const third = await q.access.authenticate((await q.enter(3)).token);
    const error = await errorOf(q.access.requireActive(third, CONCERT));
    expect(error.code).toBe("QUEUE_NOT_ADMITTED");
    expect(error.details).toEqual({ position: 2 });
  });

  it("answers QUEUE_TOKEN_EXPIRED once the active time ran out, even before any sweep", async () => {
    const q = queueOnFakes();
    const caller = await q.access.authenticate((await q.enter(1)).token);
    q.clock.advance(60_000);
    expect((await errorOf(q.access.requireActive(caller))).code).toBe("QUEUE_TOKEN_EXPIRED");
  });

  it("answers QUEUE_TOKEN_EXPIRED after the pass was used for a payment, and frees the slot", async () => {
    const q = queueOnFakes({ maxActive: 1 });
    const caller = await q.access.authenticate((await q.enter(1)).token);
    const waiting = await q.enter(2);
    await q.access.finishAfterPayment(caller);
    expect((await errorOf(q.access.requireActive(caller))).code).toBe("QUEUE_TOKEN_EXPIRED");
    expect(q.events.map((e) => e.concertId)).toEqual([CONCERT]);
    await q.service.tick();
    expect((await q.service.status(waiting.token)).status).toBe("ACTIVE");
  });

  it("extends the active time to a hold's end but never shortens it", async () => {
    const q = queueOnFakes();
    const ticket = await q.enter(1);
    const caller = await q.access.authenticate(ticket.token);
    const start = q.clock.now().getTime();
    await q.access.extendActiveUntil(caller, new Date(start + 90_000));
    expect((await q.service.status(ticket.token)).activeUntil?.getTime()).toBe(start + 90_000);
    await q.access.extendActiveUntil(caller, new Date(start + 10_000));
    expect((await q.service.status(ticket.token)).activeUntil?.getTime()).toBe(start + 90_000);
    q.clock.advance(80_000);
    await expect(q.access.requireActive(caller)).resolves.toBeUndefined();
  });

  it("does not revive an ended ticket by extending it", async () => {
    const q = queueOnFakes();
    const ticket = await q.enter(1);
    const caller = await q.access.authenticate(ticket.token);
    await q.service.leave(ticket.token);
    await q.access.extendActiveUntil(caller, new Date(q.clock.now().getTime() + 90_000));
    expect((await errorOf(q.access.requireActive(caller))).code).toBe("QUEUE_TOKEN_EXPIRED");
  });

  it("authenticates without the store: a valid token of an ended ticket still names its caller", async () => {
    const q = queueOnFakes();
    const ticket = await q.enter(1);
    await q.service.leave(ticket.token);
    const before = q.store.viewCalls;
    const caller = await q.access.authenticate(ticket.token);
    expect(caller).toMatchObject({ userId: "user-1", concertId: CONCERT, seq: 1 });
    expect(q.store.viewCalls).toBe(before);
  });

  it("answers a missing or forged token with UNAUTHENTICATED", async () => {
    const q = queueOnFakes();
    expect((await errorOf(q.access.authenticate(null))).code).toBe("UNAUTHENTICATED");
    const token = (await q.enter(1)).token;
    expect((await errorOf(q.access.authenticate(`${token}x`))).code).toBe("UNAUTHENTICATED");
  });

  describe("read passes (requireActiveToRead)", () => {
    it("trusts an ACTIVE answer for READ_PASS_MS without asking again, then asks", async () => {
      const q = queueOnFakes();
      const caller = await q.access.authenticate((await q.enter(1)).token);
      await q.access.requireActiveToRead(caller, CONCERT);
      const asked = q.store.viewCalls;
      q.clock.advance(READ_PASS_MS - 1);
      await q.access.requireActiveToRead(caller, CONCERT);
      expect(q.store.viewCalls).toBe(asked);
      q.clock.advance(1);
      await q.access.requireActiveToRead(caller, CONCERT);
      expect(q.store.viewCalls).toBe(asked + 1);
    });

    it("lets a ticket that ended elsewhere read for at most READ_PASS_MS more; a hold is refused at once", async () => {
      const q = queueOnFakes();
      const ticket = await q.enter(1);
      const caller = await q.access.authenticate(ticket.token);
      await q.access.requireActiveToRead(caller);
      // Another instance's access (same Redis) takes the payment.
      const elsewhere = new QueueAccess({
        codec: q.codec,
        store: q.store,
        events: { changed: () => {} },
        clock: q.clock,
      });
      await elsewhere.finishAfterPayment(caller);
      expect((await errorOf(q.access.requireActive(caller))).code).toBe("QUEUE_TOKEN_EXPIRED");
      await q.access.requireActiveToRead(caller);
      q.clock.advance(READ_PASS_MS);
      expect((await errorOf(q.access.requireActiveToRead(caller))).code).toBe("QUEUE_TOKEN_EXPIRED");
    });

    it("refuses the reads of a ticket that paid or left on this instance at once", async () => {
      const q = queueOnFakes();
      const paying = await q.access.authenticate((await q.enter(1)).token);
      await q.access.requireActiveToRead(paying);
      await q.access.finishAfterPayment(paying);
      expect((await errorOf(q.access.requireActiveToRead(paying))).code).toBe("QUEUE_TOKEN_EXPIRED");
      const leaving = await q.enter(2);
      const caller = await q.access.authenticate(leaving.token);
      await q.access.requireActiveToRead(caller);
      await q.service.leave(leaving.token);
      expect((await errorOf(q.access.requireActiveToRead(caller))).code).toBe("QUEUE_TOKEN_EXPIRED");
    });

    it("keeps no pass from a read overtaken by a payment here (the read's ACTIVE answer came first)", async () => {
      const q = queueOnFakes();
      const caller = await q.access.authenticate((await q.enter(1)).token);
      const reading = q.access.requireActiveToRead(caller);
      await q.access.finishAfterPayment(caller);
      await reading;
      expect((await errorOf(q.access.requireActiveToRead(caller))).code).toBe("QUEUE_TOKEN_EXPIRED");
    });

    it("never trusts a pass past the ticket's active time", async () => {
      const q = queueOnFakes({ activeMs: 60_000 });
      const caller = await q.access.authenticate((await q.enter(1)).token);
      q.clock.advance(60_000 - 300);
      await q.access.requireActiveToRead(caller);
      q.clock.advance(300);
      expect((await errorOf(q.access.requireActiveToRead(caller))).code).toBe("QUEUE_TOKEN_EXPIRED");
    });

    it("remembers no refusal: a WAITING ticket reads as soon as it is admitted", async () => {
      const q = queueOnFakes({ maxActive: 1 });
      const first = await q.enter(1);
      const second = await q.access.authenticate((await q.enter(2)).token);
      expect((await errorOf(q.access.requireActiveToRead(second))).code).toBe("QUEUE_NOT_ADMITTED");
      await q.service.leave(first.token);
      await q.service.tick();
      await expect(q.access.requireActiveToRead(second)).resolves.toBeUndefined();
    });

    it("answers FORBIDDEN for another concert even while a pass is trusted", async () => {
      const q = queueOnFakes();
      const caller = await q.access.authenticate((await q.enter(1)).token);
      await q.access.requireActiveToRead(caller, CONCERT);
      expect((await errorOf(q.access.requireActiveToRead(caller, OTHER_CONCERT))).code).toBe("FORBIDDEN");
    });
  });
});
