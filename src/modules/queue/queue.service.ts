// The waiting queue's use cases: enter, look, leave, and the admission tick.
import { randomUUID } from "node:crypto";
import type { Clock } from "../../platform/clock.js";
import { DomainError } from "../../platform/errors.js";
import type { Logger } from "../../platform/logger.js";
import type { QueueMetrics } from "../../platform/metrics/metrics.js";
import type { AccessKeyVerifier } from "../user/user.service.js";
import type { AdmissionControls } from "./admission-controls.js";
import { configuredRate, estimateWaitSeconds } from "./admission-policy.js";
import type { ConcertLookup } from "./concert-lookup.js";
import { refOf, type QueueAccess, type QueueEvents } from "./queue-access.js";
import type { QueueCaller } from "./queue-guard.js";
import type { QueueSettings, QueueStore, TicketStatus, TicketView } from "./queue.model.js";
import type { QueueTokenCodec } from "./queue-token.js";
import { concertNotFound } from "../sale/sale.errors.js";
import { noSchedule, type SaleSchedule } from "./sale-schedule.js";

/** A ticket as clients see it (QueueTicket in the schema). */
export interface QueueTicketData {
  token: string;
  userId: string;
  concertId: string;
  status: TicketStatus;
  position: number | null;
  estimatedWaitSeconds: number;
  activeUntil: Date | null;
  /** The concert's scheduled opening; null when it was on sale from the start. */
  saleOpensAt: Date | null;
  /** The concert's admission is paused by an operator (nobody is admitted meanwhile). */
  admissionPaused: boolean;
  /** No seat of any future date of the concert is free or held. */
  soldOut: boolean;
}

export interface QueueServiceDeps {
  store: QueueStore;
  codec: QueueTokenCodec;
  access: QueueAccess;
  users: AccessKeyVerifier;
  concerts: ConcertLookup;
  events: QueueEvents;
  clock: Clock;
  settings: QueueSettings;
  log: Logger;
  /** Scheduled openings (absent: every concert is on sale now). */
  schedule?: SaleSchedule;
  newTicketId?: () => string;
  metrics?: Pick<QueueMetrics, "admitted" | "abandoned">;
  /** The operator's pause and policy (sale_controls); absent: the QUEUE_* settings, never paused. */
  controls?: AdmissionControls;
}

export class QueueService {
  private readonly newTicketId: () => string;

  constructor(private readonly deps: QueueServiceDeps) {
    this.newTicketId = deps.newTicketId ?? randomUUID;
  }

  /**
   * Admissions per second the concert's policy allows (its admitPerTick per tick): the estimate's
   * rate while none has been observed yet, and the fastest admissions can move the line.
   */
  maxAdmissionRate(concertId: string): number {
    const perTick = this.deps.controls?.known(concertId)?.admitPerTick ?? this.deps.settings.admitPerTick;
    return configuredRate(perTick, this.deps.settings.tickMs);
  }

  /**
   * Enters the concert's queue, or returns the user's live ticket unchanged. Exact FIFO across
   * instances is held by the enter script: INCR gives the entry order and the WAITING sorted
   * set is scored by it, in one atomic step. Before a scheduled opening the ticket is
   * PREQUEUED under the user's draw key (the enter script refuses that once the draw ran).
   */
  async issue(userId: string, accessKey: string, concertId: string): Promise<QueueTicketData> {
    const { users, concerts, store, codec, clock } = this.deps;
    await users.verifyAccessKey(userId, accessKey);
    if (!(await concerts.exists(concertId))) throw concertNotFound(concertId);
    await store.registerConcert(concertId);
    const opening = await (this.deps.schedule ?? noSchedule).opening(concertId);
    const now = clock.now().getTime();
    const prequeue =
      opening && now < opening.opensAtMs
        ? { drawKey: opening.drawKey(userId), opensAtMs: opening.opensAtMs }
        : undefined;
    const control = await this.deps.controls?.forConcert(concertId);
    const t = await store
      .enter(concertId, userId, this.newTicketId(), now, prequeue, control)
      .catch((error: unknown) => {
        if (error instanceof DomainError && error.code === "SOLD_OUT")
          this.deps.controls?.noteSoldOut(concertId, true);
        throw error;
      });
    const token = codec.sign({
      ticketId: t.ticketId,
      userId,
      concertId,
      seq: t.seq,
      issuedAt: Math.floor(t.issuedAtMs / 1000),
    });
    return this.present({ token, userId, concertId }, { ...t, saleOpensAtMs: opening?.opensAtMs ?? null });
  }

  /** The caller's ticket now; a poll is also a heartbeat that keeps a WAITING place. */
  async status(token: string | null): Promise<QueueTicketData> {
    const caller = await this.deps.access.authenticate(token);
    const [view] = await this.deps.store.views([refOf(caller)], this.deps.clock.now().getTime(), true);
    return this.present(caller, view!);
  }

  /** Gives up the place or the active slot; the end script frees it for the next tick. */
  async leave(token: string | null): Promise<QueueTicketData> {
    const caller = await this.deps.access.authenticate(token);
    const now = this.deps.clock.now().getTime();
    // An ACTIVE ticket cannot turn WAITING again, so when it was ACTIVE here no position moves
    // and only this user's subscribers need the news (a full refresh of every subscriber of the
    // concert on every departure is what saturated an instance with 10,000 subscribers).
    const [before] = await this.deps.store.views([refOf(caller)], now, false);
    this.deps.access.ended(caller);
    if (await this.deps.store.end(refOf(caller), "LEFT", now)) {
      this.deps.events.changed(
        caller.concertId,
        now,
        before!.status === "ACTIVE" ? caller.userId : undefined,
      );
      this.deps.metrics?.abandoned(caller.concertId, "left", 1);
    }
    // Ended now or earlier (the end script refuses only an ended or replaced ticket): EXPIRED.
    return this.present(caller, { ...before!, status: "EXPIRED", rank: null });
  }

  /**
   * One admission tick of every concert that has a queue; one event per concert that changed.
   * The operator's controls of all concerts are read first (one statement) and obeyed by the
   * admit script; a concert whose controls were never readable is not ticked.
   */
  async tick(): Promise<void> {
    const concerts = await this.deps.store.concerts();
    const { controls } = this.deps;
    await controls?.refresh(concerts);
    for (const concertId of concerts) {
      const control = controls ? controls.known(concertId) : undefined;
      if (control === null) continue;
      const now = this.deps.clock.now().getTime();
      const r = await this.deps.store.admit(concertId, now, control);
      controls?.noteSoldOut(concertId, r.soldOut);
      this.deps.metrics?.admitted(concertId, r.admitted);
      this.deps.metrics?.abandoned(concertId, "idle", r.dropped);
      this.deps.metrics?.abandoned(concertId, "active_timeout", r.expired);
      if (r.admitted + r.expired + r.dropped > 0) {
        this.deps.events.changed(concertId, now);
        this.deps.log.debug({ concertId, ...r }, "queue tick");
      }
    }
  }

  present(caller: Pick<QueueCaller, "token" | "userId" | "concertId">, view: TicketView): QueueTicketData {
    const position = view.status === "WAITING" && view.rank !== null ? view.rank + 1 : null;
    return {
      token: caller.token,
      userId: caller.userId,
      concertId: caller.concertId,
      status: view.status,
      position,
      estimatedWaitSeconds:
        position === null
          ? 0
          : estimateWaitSeconds(position, view.observedRate, this.maxAdmissionRate(caller.concertId)),
      activeUntil: view.activeUntilMs === null ? null : new Date(view.activeUntilMs),
      saleOpensAt: view.saleOpensAtMs == null ? null : new Date(view.saleOpensAtMs),
      admissionPaused: this.deps.controls?.isPaused(caller.concertId) ?? false,
      soldOut: this.deps.controls?.isSoldOut(caller.concertId) ?? false,
    };
  }
}
