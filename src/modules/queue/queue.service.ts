// The waiting queue's use cases: enter, look, leave, and the admission tick.
import { randomUUID } from "node:crypto";
import type { Clock } from "../../platform/clock.js";
import { notFound } from "../../platform/errors.js";
import type { Logger } from "../../platform/logger.js";
import type { QueueMetrics } from "../../platform/metrics/metrics.js";
import type { AccessKeyVerifier } from "../user/user.service.js";
import { configuredRate, estimateWaitSeconds } from "./admission-policy.js";
import type { ConcertLookup } from "./concert-lookup.repository.js";
import { refOf, type QueueAccess, type QueueEvents } from "./queue-access.js";
import type { QueueCaller } from "./queue-guard.js";
import type { QueueSettings, QueueStore, TicketStatus, TicketView } from "./queue.store.js";
import type { QueueTokenCodec } from "./queue-token.js";
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
}

export class QueueService {
  private readonly newTicketId: () => string;
  private readonly fallbackRate: number;

  constructor(private readonly deps: QueueServiceDeps) {
    this.newTicketId = deps.newTicketId ?? randomUUID;
    this.fallbackRate = configuredRate(deps.settings.admitPerTick, deps.settings.tickMs);
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
    if (!(await concerts.exists(concertId))) throw notFound(`Concert ${concertId}`);
    await store.registerConcert(concertId);
    const opening = await (this.deps.schedule ?? noSchedule).opening(concertId);
    const now = clock.now().getTime();
    const prequeue =
      opening && now < opening.opensAtMs
        ? { drawKey: opening.drawKey(userId), opensAtMs: opening.opensAtMs }
        : undefined;
    const t = await store.enter(concertId, userId, this.newTicketId(), now, prequeue);
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
    if (await this.deps.store.end(refOf(caller), "LEFT")) {
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

  /** One admission tick of every concert that has a queue; one event per concert that changed. */
  async tick(): Promise<void> {
    for (const concertId of await this.deps.store.concerts()) {
      const now = this.deps.clock.now().getTime();
      const r = await this.deps.store.admit(concertId, now);
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
        position === null ? 0 : estimateWaitSeconds(position, view.observedRate, this.fallbackRate),
      activeUntil: view.activeUntilMs === null ? null : new Date(view.activeUntilMs),
      saleOpensAt: view.saleOpensAtMs == null ? null : new Date(view.saleOpensAtMs),
    };
  }
}
