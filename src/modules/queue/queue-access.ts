// The one queue guard (QueueGuard) and the pass (QueuePass) that the seat and payment
// features use. Authentication is the token's signature and age alone; admission is read from
// Redis through the view script, which judges time against the injected clock.
import type { Clock } from "../../platform/clock.js";
import type { QueueCaller, QueueGuard, QueuePass } from "./queue-guard.js";
import type { QueueStore, TicketRef } from "./queue.model.js";
import type { QueueTokenCodec } from "./queue-token.js";
import { saleNotOpen } from "../sale/sale.errors.js";
import { otherConcert, stillWaiting, tokenExpired } from "./queue.errors.js";

/** Tells every instance that a concert's queue changed (one message per change or tick). */
export interface QueueEvents {
  /** `onlyUserId`: just that user's ticket changed (an ACTIVE ticket ended; no position moved). */
  changed(concertId: string, atMs: number, onlyUserId?: string): void;
}

export const refOf = (caller: QueueCaller): TicketRef => ({
  concertId: caller.concertId,
  userId: caller.userId,
  ticketId: caller.ticketId,
  seq: caller.seq,
  issuedAt: caller.issuedAt,
});

export interface QueueAccessDeps {
  codec: QueueTokenCodec;
  store: QueueStore;
  events: QueueEvents;
  clock: Clock;
}

export class QueueAccess implements QueueGuard, QueuePass {
  constructor(private readonly deps: QueueAccessDeps) {}

  async authenticate(token: string | null): Promise<QueueCaller> {
    return this.deps.codec.verify(token);
  }

  async requireActive(caller: QueueCaller, concertId?: string): Promise<void> {
    if (concertId !== undefined && concertId !== caller.concertId) throw otherConcert();
    const now = this.deps.clock.now().getTime();
    const [view] = await this.deps.store.views([refOf(caller)], now, false);
    if (view!.status === "PREQUEUED") {
      const opensAt = view!.saleOpensAtMs ?? now;
      throw saleNotOpen(Math.max(0, Math.ceil((opensAt - now) / 1000)));
    }
    if (view!.status === "WAITING") throw stillWaiting(view!.rank! + 1);
    if (view!.status === "EXPIRED") throw tokenExpired();
  }

  /**
   * Held by the extend script: only a live ACTIVE ticket is moved, and only later. A ticket
   * that already ended is left ended (the hold then cannot be paid with it).
   */
  async extendActiveUntil(caller: QueueCaller, until: Date): Promise<void> {
    await this.deps.store.extend(refOf(caller), until.getTime(), this.deps.clock.now().getTime());
  }

  /** Held by the end script: the ticket leaves every set at once, so the next tick refills it. */
  async finishAfterPayment(caller: QueueCaller): Promise<void> {
    // A paying ticket was ACTIVE: no position moves until the next tick (which publishes).
    if (await this.deps.store.end(refOf(caller), "PAID"))
      this.deps.events.changed(caller.concertId, this.deps.clock.now().getTime(), caller.userId);
  }
}
