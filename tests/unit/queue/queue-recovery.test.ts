// The restore decision of RecoveringQueueStore on fakes: which lost tickets are put back, which
// stay EXPIRED, and that nothing else pays for recovery (no payment lookup, no restore).
import { describe, expect, it } from "vitest";
import type { PaymentHistory } from "../../../src/modules/queue/payment-history.repository.js";
import { RecoveringQueueStore } from "../../../src/modules/queue/queue-recovery.js";
import type { RestorableQueueStore, TicketRef, TicketView } from "../../../src/modules/queue/queue.model.js";
import { FakeClock } from "../../../src/platform/clock.js";
import { createLogger } from "../../../src/platform/logger.js";
import { CONCERT } from "./setup.js";
import { FakeQueueStore } from "./fake-queue-store.js";

const SETTINGS = {
  maxActive: 1,
  admitPerTick: 1,
  tickMs: 1000,
  activeMs: 60_000,
  idleMs: 30_000,
  maxAgeMs: 86_400_000,
};

/** The fake queue, with lost tickets and a restore that records what it was asked. */
class LossyStore extends FakeQueueStore implements RestorableQueueStore {
  readonly lost = new Set<string>();
  readonly restored: Required<TicketRef>[] = [];
  refuseRestore = false;
  /** What the store holds after a refused restore (another instance restored it). */
  afterRefusal: TicketView | null = null;

  override async views(refs: readonly TicketRef[], now: number, touch: boolean): Promise<TicketView[]> {
    const views = await super.views(refs, now, touch);
    return views.map((v, i) => {
      const userId = refs[i]!.userId;
      if (this.restored.some((r) => r.userId === userId)) return { ...v, status: "WAITING", rank: 0 };
      if (this.refuseRestore && this.afterRefusal && this.restoreCalls > 0) return this.afterRefusal;
      return this.lost.has(userId) ? { ...v, lost: true } : v;
    });
  }

  restoreCalls = 0;
  async restore(ref: Required<TicketRef>): Promise<TicketView | null> {
    this.restoreCalls++;
    if (this.refuseRestore) return null;
    this.restored.push(ref);
    return { status: "WAITING", activeUntilMs: null, rank: this.restored.length - 1, observedRate: null };
  }
}

class Payments implements PaymentHistory {
  readonly paid = new Set<string>();
  calls = 0;
  async hasPaid(userId: string, concertId: string): Promise<boolean> {
    this.calls++;
    return this.paid.has(`${concertId}/${userId}`);
  }
}

function setup() {
  const clock = new FakeClock("2030-01-01T00:00:00Z");
  const inner = new LossyStore(SETTINGS);
  const payments = new Payments();
  const store = new RecoveringQueueStore({ inner, payments, log: createLogger("silent") });
  const ref = (userId: string, seq = 3): TicketRef => ({
    concertId: CONCERT,
    userId,
    ticketId: `t-${userId}`,
    seq,
    issuedAt: Math.floor(clock.now().getTime() / 1000) - 60,
  });
  return { clock, inner, payments, store, ref, now: () => clock.now().getTime() };
}

describe("recovery after Redis lost its data", () => {
  it("restores a lost ticket of a user who has not paid, at the token's entry number", async () => {
    const { inner, payments, store, ref, now } = setup();
    inner.lost.add("w");
    const [view] = await store.views([ref("w", 7)], now(), true);
    expect(view).toMatchObject({ status: "WAITING", rank: 0 });
    expect(inner.restored).toEqual([ref("w", 7)]);
    expect(payments.calls).toBe(1);
  });

  it("leaves a lost ticket EXPIRED when its user paid for that concert", async () => {
    const { inner, payments, store, ref, now } = setup();
    inner.lost.add("p");
    payments.paid.add(`${CONCERT}/p`);
    const [view] = await store.views([ref("p")], now(), true);
    expect(view).toMatchObject({ status: "EXPIRED", rank: null });
    expect(view!.lost).toBe(false);
    expect(inner.restoreCalls).toBe(0);
  });

  it("asks nothing of MySQL or the restore script for tickets that are not lost", async () => {
    const { inner, payments, store, ref, now, clock } = setup();
    await inner.enter(CONCERT, "a", "t-a", now());
    clock.advance(61_000); // a's active time ran out: EXPIRED, but not lost
    const [ended, unknown] = await store.views([ref("a"), ref("nobody")], now(), true);
    expect([ended!.status, unknown!.status]).toEqual(["EXPIRED", "EXPIRED"]);
    expect(payments.calls).toBe(0);
    expect(inner.restoreCalls).toBe(0);
  });

  it("does not restore from a ref that lacks the token's entry number", async () => {
    const { inner, payments, store, now } = setup();
    inner.lost.add("x");
    const [view] = await store.views([{ concertId: CONCERT, userId: "x", ticketId: "t-x" }], now(), false);
    expect(view!.status).toBe("EXPIRED");
    expect(payments.calls + inner.restoreCalls).toBe(0);
  });

  it("answers what is stored when another instance restored the ticket first", async () => {
    const { inner, store, ref, now } = setup();
    inner.lost.add("w");
    inner.refuseRestore = true;
    inner.afterRefusal = { status: "WAITING", activeUntilMs: null, rank: 4, observedRate: null };
    const [view] = await store.views([ref("w")], now(), true);
    expect(view).toMatchObject({ status: "WAITING", rank: 4 });
  });

  it("keeps the order of a mixed batch and recovers only its lost members", async () => {
    const { inner, store, ref, now } = setup();
    await inner.enter(CONCERT, "live", "t-live", now());
    inner.lost.add("l1");
    inner.lost.add("l2");
    const views = await store.views(
      [ref("l1", 5), { ...ref("live"), ticketId: "t-live" }, ref("l2", 2)],
      now(),
      true,
    );
    expect(views.map((v) => v.status)).toEqual(["WAITING", "ACTIVE", "WAITING"]);
    expect(inner.restored.map((r) => r.seq)).toEqual([5, 2]);
  });
});
