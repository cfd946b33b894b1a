// Recovery after Redis lost its data (restarted empty). Every read of a ticket goes through
// here: a ticket the store reports as lost (nothing stored for the user, the signed token older
// than the concert's data set) is put back as WAITING at the token's entry number — unless the
// user has paid for that concert (MySQL, which Redis's loss does not touch). Everything else is
// passed straight through. A PREQUEUED token (entry number 0) is put back into the pre-queue, or
// at its drawn place once the draw ran. It also attaches each concert's scheduled opening to
// the views. README "Redis restarted empty" says what is and is not recovered.
import type { Logger } from "../../platform/logger.js";
import type { PaymentHistory } from "./payment-history.repository.js";
import type { PrequeueStore } from "./prequeue.store.js";
import type { SaleSchedule } from "./sale-schedule.js";
import type {
  AdmissionControl,
  PrequeueEntry,
  QueueStore,
  RestorableQueueStore,
  StoredTicket,
  TicketRef,
  TicketView,
  TickResult,
} from "./queue.model.js";

export interface RecoveringQueueStoreDeps {
  inner: RestorableQueueStore;
  payments: PaymentHistory;
  log: Logger;
  /** Scheduled openings and the pre-queue, to restore a lost PREQUEUED ticket. */
  prequeue?: { schedule: SaleSchedule; store: Pick<PrequeueStore, "restorePrequeued"> };
}

export class RecoveringQueueStore implements QueueStore {
  private readonly inner: RestorableQueueStore;
  private readonly payments: PaymentHistory;
  private readonly log: Logger;
  private readonly prequeue: RecoveringQueueStoreDeps["prequeue"];

  constructor(deps: RecoveringQueueStoreDeps) {
    ({ inner: this.inner, payments: this.payments, log: this.log, prequeue: this.prequeue } = deps);
  }

  async views(refs: readonly TicketRef[], nowMs: number, touch: boolean): Promise<TicketView[]> {
    let views = await this.inner.views(refs, nowMs, touch);
    if (views.some((v) => v.lost))
      views = await Promise.all(views.map((v, i) => (v.lost ? this.recover(refs[i]!, v, nowMs, touch) : v)));
    return this.withOpenings(refs, views);
  }

  /** Each view gets its concert's scheduled opening (one cached lookup per concert). */
  private async withOpenings(refs: readonly TicketRef[], views: TicketView[]): Promise<TicketView[]> {
    const schedule = this.prequeue?.schedule;
    if (!schedule || views.length === 0) return views;
    const opens = new Map<string, number | null>();
    for (const concertId of new Set(refs.map((r) => r.concertId)))
      opens.set(concertId, (await schedule.opening(concertId))?.opensAtMs ?? null);
    return views.map((v, i) => ({ ...v, saleOpensAtMs: opens.get(refs[i]!.concertId) ?? null }));
  }

  /**
   * The decision in JS is only "has this user paid?"; whether the ticket is really lost, and
   * its insertion at its place, are re-checked and done atomically by the restore script.
   */
  private async recover(
    ref: TicketRef,
    view: TicketView,
    nowMs: number,
    touch: boolean,
  ): Promise<TicketView> {
    const expired: TicketView = { ...view, status: "EXPIRED", rank: null, lost: false };
    if (ref.seq === undefined || ref.issuedAt === undefined) return expired;
    if (await this.payments.hasPaid(ref.userId, ref.concertId)) return expired;
    const full = { ...ref, seq: ref.seq, issuedAt: ref.issuedAt };
    const restored =
      ref.seq === 0 ? await this.restorePrequeued(full, nowMs) : await this.inner.restore(full, nowMs);
    if (restored) {
      this.log.info(
        { concertId: ref.concertId, seq: ref.seq },
        "queue ticket restored after Redis data loss",
      );
      return restored;
    }
    // Another instance restored it first (or the user entered anew): read what is there now.
    const [now] = await this.inner.views([ref], nowMs, touch);
    return now!.lost ? expired : now!;
  }

  /** Entry number 0 is a PREQUEUED token: its draw key is recomputed from the seed (MySQL). */
  private async restorePrequeued(ref: Required<TicketRef>, nowMs: number): Promise<TicketView | null> {
    if (!this.prequeue) return null;
    const state = await this.prequeue.schedule.drawState(ref.concertId, ref.userId);
    if (!state) return null;
    return this.prequeue.store.restorePrequeued(ref, state, state.drawnAtMs, nowMs);
  }

  enter(
    concertId: string,
    userId: string,
    newTicketId: string,
    nowMs: number,
    prequeue?: PrequeueEntry,
    control?: AdmissionControl,
  ): Promise<StoredTicket> {
    return this.inner.enter(concertId, userId, newTicketId, nowMs, prequeue, control);
  }

  admit(concertId: string, nowMs: number, control?: AdmissionControl): Promise<TickResult> {
    return this.inner.admit(concertId, nowMs, control);
  }

  end(ref: TicketRef, reason: "LEFT" | "PAID", nowMs?: number): Promise<boolean> {
    return this.inner.end(ref, reason, nowMs);
  }

  extend(ref: TicketRef, untilMs: number, nowMs: number): Promise<boolean> {
    return this.inner.extend(ref, untilMs, nowMs);
  }

  registerConcert(concertId: string): Promise<void> {
    return this.inner.registerConcert(concertId);
  }

  concerts(): Promise<string[]> {
    return this.inner.concerts();
  }
}
