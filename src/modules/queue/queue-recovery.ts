// Recovery after Redis lost its data (restarted empty). Every read of a ticket goes through
// here: a ticket the store reports as lost (nothing stored for the user, the signed token older
// than the concert's data set) is put back as WAITING at the token's entry number — unless the
// user has paid for that concert (MySQL, which Redis's loss does not touch). Everything else is
// passed straight through. docs/security.md says what is and is not recovered.
import type { Logger } from "../../platform/logger.js";
import type { PaymentHistory } from "./payment-history.repository.js";
import type {
  AdmissionControl,
  QueueStore,
  RestorableQueueStore,
  StoredTicket,
  TicketRef,
  TicketView,
  TickResult,
} from "./queue.store.js";

export class RecoveringQueueStore implements QueueStore {
  constructor(
    private readonly inner: RestorableQueueStore,
    private readonly payments: PaymentHistory,
    private readonly log: Logger,
  ) {}

  async views(refs: readonly TicketRef[], nowMs: number, touch: boolean): Promise<TicketView[]> {
    const views = await this.inner.views(refs, nowMs, touch);
    if (!views.some((v) => v.lost)) return views;
    return Promise.all(views.map((v, i) => (v.lost ? this.recover(refs[i]!, v, nowMs, touch) : v)));
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
    const restored = await this.inner.restore(full, nowMs);
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

  enter(
    concertId: string,
    userId: string,
    newTicketId: string,
    nowMs: number,
    control?: AdmissionControl,
  ): Promise<StoredTicket> {
    return this.inner.enter(concertId, userId, newTicketId, nowMs, control);
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
