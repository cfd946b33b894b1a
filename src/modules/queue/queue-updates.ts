// Live queue pushes that scale: every instance keeps a registry of its own subscribers by
// concert and listens to ONE pubsub channel per concert. A QUEUE_CHANGED event (one per concert
// per tick or departure) makes the instance recompute all its subscribers of that concert in
// ONE pipelined Redis round trip, and push only to those whose ticket changed.
import type { Clock } from "../../platform/clock.js";
import type { Logger } from "../../platform/logger.js";
import type { QueueCaller, QueueGuard } from "./queue-guard.js";
import { refOf } from "./queue-access.js";
import type { QueueStore } from "./queue.model.js";
import type { QueueTicketData } from "./queue.service.js";
import { failedStream, PushChannel } from "./push-channel.js";

/** The per-concert change events of every instance (the Redis pubsub in production). */
export interface QueueChangeFeed {
  listen(concertId: string): AsyncIterator<unknown> & { return?(): Promise<IteratorResult<unknown>> };
}

interface Subscriber {
  caller: QueueCaller;
  channel: PushChannel<QueueTicketData>;
  /** What was pushed last (status, position, activeUntil); null before the first push. */
  last: string | null;
}

interface ConcertGroup {
  concertId: string;
  subscribers: Set<Subscriber>;
  fresh: Set<Subscriber>;
  refreshAll: boolean;
  touch: boolean;
  running: Promise<void> | null;
  feed: ReturnType<QueueChangeFeed["listen"]>;
  /** Users whose own ticket alone changed (an ACTIVE ticket ended), pending a refresh. */
  users: Set<string>;
  /** `at` of the oldest change not yet refreshed (push latency is measured from it). */
  changedAt: number | null;
}

const fingerprint = (t: QueueTicketData) =>
  `${t.status}|${t.position ?? ""}|${t.activeUntil ? t.activeUntil.getTime() : ""}|${t.saleOpensAt?.getTime() ?? ""}|${t.admissionPaused}|${t.soldOut}`;

/** What the subscription resolver calls. */
export interface QueueUpdates {
  /** Verifies the token (UNAUTHENTICATED if bad), then streams the caller's ticket. */
  subscribe(token: string | null): Promise<AsyncIterableIterator<QueueTicketData>>;
}

export class QueueUpdatesHub implements QueueUpdates {
  private readonly groups = new Map<string, ConcertGroup>();

  constructor(
    private readonly guard: Pick<QueueGuard, "authenticate">,
    private readonly store: QueueStore,
    private readonly feed: QueueChangeFeed,
    private readonly present: (
      caller: QueueCaller,
      view: Awaited<ReturnType<QueueStore["views"]>>[number],
    ) => QueueTicketData,
    private readonly clock: Clock,
    private readonly log: Logger,
    /** Milliseconds from a change's `at` to each push it caused (metrics). */
    private readonly observePush: (latencyMs: number) => void = () => undefined,
  ) {}

  /** Local subscribers right now (for metrics and tests). */
  get size(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.subscribers.size;
    return n;
  }

  async subscribe(token: string | null): Promise<AsyncIterableIterator<QueueTicketData>> {
    let caller: QueueCaller;
    try {
      caller = await this.guard.authenticate(token);
    } catch (error) {
      return failedStream(error);
    }
    return this.open(caller);
  }

  /**
   * The caller's ticket at once, then every change of status, position or activeUntil, until
   * EXPIRED (pushed, then the stream completes). The open stream is a heartbeat.
   */
  open(caller: QueueCaller): AsyncIterableIterator<QueueTicketData> {
    const group = this.group(caller.concertId);
    const sub: Subscriber = {
      caller,
      last: null,
      channel: new PushChannel(() => this.remove(group, sub)),
    };
    group.subscribers.add(sub);
    group.fresh.add(sub);
    this.schedule(group);
    return sub.channel;
  }

  /**
   * Recomputes every local subscriber of the concert (its pause or sold-out state flipped on this
   * instance): those whose ticket now reads differently are pushed.
   */
  refreshConcert(concertId: string): void {
    const group = this.groups.get(concertId);
    if (!group) return;
    group.refreshAll = true;
    void this.schedule(group);
  }

  /** Refreshes every local subscriber's heartbeat (and pushes what changed): one pipeline per concert. */
  async heartbeat(): Promise<void> {
    await Promise.all(
      [...this.groups.values()].map((g) => {
        g.refreshAll = true;
        g.touch = true;
        return this.schedule(g);
      }),
    );
  }

  private group(concertId: string): ConcertGroup {
    const existing = this.groups.get(concertId);
    if (existing) return existing;
    const group: ConcertGroup = {
      concertId,
      subscribers: new Set(),
      fresh: new Set(),
      refreshAll: false,
      touch: false,
      running: null,
      feed: this.feed.listen(concertId),
      changedAt: null,
      users: new Set(),
    };
    this.groups.set(concertId, group);
    void this.consume(group);
    return group;
  }

  private async consume(group: ConcertGroup): Promise<void> {
    try {
      for (;;) {
        const r = await group.feed.next();
        if (r.done) return;
        const event = r.value as { at?: unknown; userId?: unknown } | undefined;
        if (typeof event?.userId === "string") {
          group.users.add(event.userId);
          void this.schedule(group);
          continue;
        }
        if (typeof event?.at === "number") group.changedAt = Math.min(group.changedAt ?? event.at, event.at);
        group.refreshAll = true;
        void this.schedule(group);
      }
    } catch (error) {
      this.log.warn({ err: error, concertId: group.concertId }, "queue change feed failed");
    }
  }

  private remove(group: ConcertGroup, sub: Subscriber): void {
    group.subscribers.delete(sub);
    group.fresh.delete(sub);
    if (group.subscribers.size === 0 && this.groups.get(group.concertId) === group) {
      this.groups.delete(group.concertId);
      void group.feed.return?.();
    }
  }

  /**
   * Refreshes run one at a time per concert, so pushes to a subscriber are never reordered;
   * events that arrive meanwhile coalesce into one more run.
   */
  private schedule(group: ConcertGroup): Promise<void> {
    if (!group.running) {
      group.running = this.drain(group).finally(() => {
        group.running = null;
      });
    }
    return group.running;
  }

  private async drain(group: ConcertGroup): Promise<void> {
    while (group.refreshAll || group.fresh.size > 0 || group.users.size > 0) {
      const all = group.refreshAll;
      const users = group.users;
      const targets = all
        ? [...group.subscribers]
        : [
            ...group.fresh,
            ...[...group.subscribers].filter((s) => users.has(s.caller.userId) && !group.fresh.has(s)),
          ];
      const touch = group.touch || !all;
      const changedAt = all ? group.changedAt : null;
      if (all) group.changedAt = null;
      group.refreshAll = false;
      group.touch = false;
      group.fresh.clear();
      group.users = new Set();
      try {
        await this.refresh(targets, touch, changedAt);
      } catch (error) {
        this.log.warn({ err: error, concertId: group.concertId }, "queue push refresh failed");
      }
    }
  }

  /** ONE pipelined round trip for all targets, then a push to those whose ticket changed. */
  private async refresh(targets: Subscriber[], touch: boolean, changedAt: number | null): Promise<void> {
    const live = targets.filter((s) => !s.channel.isEnded);
    if (live.length === 0) return;
    const views = await this.store.views(
      live.map((s) => refOf(s.caller)),
      this.clock.now().getTime(),
      touch,
    );
    live.forEach((sub, i) => {
      const ticket = this.present(sub.caller, views[i]!);
      const print = fingerprint(ticket);
      if (print === sub.last) return;
      sub.last = print;
      sub.channel.push(ticket);
      if (changedAt !== null) this.observePush(this.clock.now().getTime() - changedAt);
      if (ticket.status === "EXPIRED") sub.channel.end();
    });
  }
}
