// The one queue guard (QueueGuard) and the pass (QueuePass) that the seat and payment
// features use. Authentication is the token's signature and age alone; admission is read from
// Redis through the view script, which judges time against the injected clock.
import { LRUCache } from "lru-cache";
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

/**
 * How long a read trusts an ACTIVE answer (requireActiveToRead). A ticket that paid or left on
 * this instance loses its pass at once (ended); one that ended on another instance, or was ended
 * by an operator, may read for at most this long more.
 */
export const READ_PASS_MS = 1000;
/** Read passes kept per process: about the active set of the concerts on sale. */
const READ_PASS_CAPACITY = 20_000;

export class QueueAccess implements QueueGuard, QueuePass {
  /** Ticket id → until when (ms, the injected clock) a read may trust its last ACTIVE answer. */
  private readonly readPasses = new LRUCache<string, number>({ max: READ_PASS_CAPACITY });
  /** Tickets ended here so far: a read whose ACTIVE answer was overtaken by one keeps no pass. */
  private endings = 0;

  constructor(private readonly deps: QueueAccessDeps) {}

  async authenticate(token: string | null): Promise<QueueCaller> {
    return this.deps.codec.verify(token);
  }

  async requireActive(caller: QueueCaller, concertId?: string): Promise<void> {
    if (concertId !== undefined && concertId !== caller.concertId) throw otherConcert();
    await this.activeUntil(caller, this.deps.clock.now().getTime());
  }

  async requireActiveToRead(caller: QueueCaller, concertId?: string): Promise<void> {
    if (concertId !== undefined && concertId !== caller.concertId) throw otherConcert();
    const now = this.deps.clock.now().getTime();
    const trusted = this.readPasses.get(caller.ticketId);
    if (trusted !== undefined && now < trusted) return;
    const endings = this.endings;
    const until = await this.activeUntil(caller, now);
    // A ticket ended here while Redis answered (a leave or payment racing this read) may have
    // been the one: no pass then, the next read asks again.
    if (this.endings !== endings) return;
    this.readPasses.set(caller.ticketId, Math.min(now + READ_PASS_MS, until));
  }

  /** The ticket's active time (ms) when it is ACTIVE; the caller's refusal otherwise. */
  private async activeUntil(caller: QueueCaller, now: number): Promise<number> {
    const [view] = await this.deps.store.views([refOf(caller)], now, false);
    if (view!.status === "PREQUEUED") {
      const opensAt = view!.saleOpensAtMs ?? now;
      throw saleNotOpen(Math.max(0, Math.ceil((opensAt - now) / 1000)));
    }
    if (view!.status === "WAITING") throw stillWaiting(view!.rank! + 1);
    if (view!.status === "EXPIRED") throw tokenExpired();
    return view!.activeUntilMs ?? now;
  }

  /**
   * Held by the extend script: only a live ACTIVE ticket is moved, and only later. A ticket
   * that already ended is left ended (the hold then cannot be paid with it).
   */
  async extendActiveUntil(caller: QueueCaller, until: Date): Promise<void> {
    await this.deps.store.extend(refOf(caller), until.getTime(), this.deps.clock.now().getTime());
  }

  /** The ticket ended on this instance (paid, left): its reads here ask Redis again at once. */
  ended(caller: QueueCaller): void {
    this.endings += 1;
    this.readPasses.delete(caller.ticketId);
  }

  /** Held by the end script: the ticket leaves every set at once, so the next tick refills it. */
  async finishAfterPayment(caller: QueueCaller): Promise<void> {
    this.ended(caller);
    // A paying ticket was ACTIVE: no position moves until the next tick (which publishes).
    if (await this.deps.store.end(refOf(caller), "PAID"))
      this.deps.events.changed(caller.concertId, this.deps.clock.now().getTime(), caller.userId);
  }
}
