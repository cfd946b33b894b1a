// Live queue pushes that scale (docs/queue.md, "Live updates at scale"): every instance keeps a
// registry of its own subscribers by concert and listens to ONE pubsub channel per concert. A
// QUEUE_CHANGED event (one per concert per tick or departure) makes the instance recompute the
// subscribers that the cadence says are due (push-cadence.ts: everyone near the front, the
// rest every few seconds), the front in ONE pipelined Redis round trip and the back in slices
// of BACK_SLICE (a change arriving between two slices reaches the front first), and push only
// to those whose ticket changed. A subscriber whose previous push is still unwritten (its
// socket is behind) skips a WAITING update and gets the fresh one later; the first push,
// ACTIVE and every end are never skipped, and pushes to one subscriber are never reordered.
import type { Clock } from "../../platform/clock.js";
import { failedStream } from "../../platform/graphql/failed-stream.js";
import { LiveStream } from "../../platform/graphql/live-stream.js";
import type { Logger } from "../../platform/logger.js";
import type { QueueCaller, QueueGuard } from "./queue-guard.js";
import { refOf } from "./queue-access.js";
import type { QueueStore, TicketView } from "./queue.model.js";
import type { QueueTicketData } from "./queue.service.js";
import { DEFAULT_CADENCE, dueAt, isFront, type PushCadence } from "./push-cadence.js";
import {
  addSubscriber,
  fingerprint,
  removeSubscriber,
  subscribersOf,
  type ConcertGroup,
  type QueueChangeFeed,
  type Subscriber,
} from "./queue-subscribers.js";

export type { QueueChangeFeed } from "./queue-subscribers.js";

/** Back subscribers read per pipeline; between two slices a new change reaches the front first. */
const BACK_SLICE = 500;

/** Something the front (or a subscriber's own ticket) must see before more of the back is read. */
const hasNews = (g: ConcertGroup) => g.refreshAll || g.changed || g.fresh.size > 0 || g.users.size > 0;

/** Up to `n` entries of the backlog, oldest first, taken out of it. */
function takeSlice(backlog: Map<Subscriber, boolean>, n: number): [Subscriber, boolean][] {
  const slice: [Subscriber, boolean][] = [];
  for (const entry of backlog) {
    if (slice.length >= n) break;
    slice.push(entry);
  }
  for (const [sub] of slice) backlog.delete(sub);
  return slice;
}

/** What the subscription resolver calls. */
export interface QueueUpdates {
  /** Verifies the token (UNAUTHENTICATED if bad), then streams the caller's ticket. */
  subscribe(token: string | null): Promise<AsyncIterableIterator<QueueTicketData>>;
}

export interface QueueUpdatesDeps {
  guard: Pick<QueueGuard, "authenticate">;
  store: Pick<QueueStore, "views">;
  feed: QueueChangeFeed;
  present: (caller: QueueCaller, view: TicketView) => QueueTicketData;
  clock: Clock;
  log: Logger;
  /** Milliseconds from a change's `at` to each push it caused in the same run (metrics). */
  observePush?: (latencyMs: number) => void;
  /** A WAITING push skipped because the subscriber's previous push was still unwritten. */
  observeSkip?: () => void;
  cadence?: PushCadence;
  /**
   * The fastest the concert's line can move by admissions, per second (its admitPerTick per
   * tick): who is counted as front (push-cadence.ts isFront). Absent: the observed rate only.
   */
  maxAdmissionRate?: (concertId: string) => number;
  /** Phases of new subscribers (tests pass a fixed one). */
  random?: () => number;
}

export class QueueUpdatesHub implements QueueUpdates {
  private readonly groups = new Map<string, ConcertGroup>();
  private readonly cadence: PushCadence;

  constructor(private readonly deps: QueueUpdatesDeps) {
    this.cadence = deps.cadence ?? DEFAULT_CADENCE;
  }

  /** Local subscribers right now (for metrics and tests). */
  get size(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.subscribers.size;
    return n;
  }

  async subscribe(token: string | null): Promise<AsyncIterableIterator<QueueTicketData>> {
    let caller: QueueCaller;
    try {
      caller = await this.deps.guard.authenticate(token);
    } catch (error) {
      return failedStream(error);
    }
    return this.open(caller);
  }

  /**
   * The caller's ticket at once, then its changes (by the cadence), until EXPIRED (pushed, then
   * the stream completes). The open stream is a heartbeat.
   */
  open(caller: QueueCaller): AsyncIterableIterator<QueueTicketData> {
    const group = this.group(caller.concertId);
    const sub: Subscriber = {
      caller,
      stream: new LiveStream(() => this.remove(group, sub)),
      last: null,
      front: true,
      staleSince: null,
      phase: (this.deps.random ?? Math.random)(),
    };
    addSubscriber(group, sub);
    void this.schedule(group);
    return sub.stream.iterator;
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
  heartbeat(): Promise<void> {
    return this.everyGroup((g) => {
      g.refreshAll = true;
      g.touch = true;
    });
  }

  /** Reads the back subscribers that came due since the last change event (every CATCH_UP_MS). */
  catchUp(): Promise<void> {
    return this.everyGroup((g) => (g.catchUp = true));
  }

  private async everyGroup(mark: (group: ConcertGroup) => void): Promise<void> {
    await Promise.all([...this.groups.values()].map((g) => (mark(g), this.schedule(g))));
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
      changed: false,
      catchUp: false,
      running: null,
      feed: this.deps.feed.listen(concertId),
      changedAt: null,
      users: new Set(),
      byUser: new Map(),
      backlog: new Map(),
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
        group.changed = true;
        void this.schedule(group);
      }
    } catch (error) {
      this.deps.log.warn({ err: error, concertId: group.concertId }, "queue change feed failed");
    }
  }

  private remove(group: ConcertGroup, sub: Subscriber): void {
    removeSubscriber(group, sub);
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
        // News that came between the drain's last look and now found it still running.
        if (hasNews(group) || group.catchUp || group.backlog.size > 0) void this.schedule(group);
      });
    }
    return group.running;
  }

  private async drain(group: ConcertGroup): Promise<void> {
    while (hasNews(group) || group.catchUp || group.backlog.size > 0) {
      const now = this.deps.clock.now().getTime();
      const { refreshAll: all, changed, users, catchUp } = group;
      const touch = group.touch;
      const changedAt = all || changed ? group.changedAt : null;
      if (all || changed) group.changedAt = null;
      group.refreshAll = false;
      group.changed = false;
      group.catchUp = false;
      group.touch = false;
      group.users = new Set();
      // Subscribers new here and users whose own ticket ended: read with a heartbeat.
      const mine = new Set(group.fresh);
      for (const s of subscribersOf(group, users)) mine.add(s);
      const own = [...mine];
      group.fresh.clear();
      // The front in its own pipeline, first; the back joins the backlog. Only a change, a
      // refresh of all or the catch-up run reads everyone; news of a few users does not.
      const front: Subscriber[] = [];
      for (const s of all || changed || catchUp ? group.subscribers : []) {
        if (mine.has(s)) continue;
        if ((all || changed) && s.front) front.push(s);
        else if (all) group.backlog.set(s, touch || (group.backlog.get(s) ?? false));
        else {
          // Out of date since the change itself (its `at`), not since this instance got to it:
          // a busy run or a late event must not stretch the back period. Never later than now,
          // so another instance's clock running ahead cannot postpone it either.
          if (changed && s.staleSince === null) s.staleSince = Math.min(now, changedAt ?? now);
          const due = s.staleSince !== null && dueAt(this.cadence, s.staleSince, s.phase) <= now;
          if (due && !group.backlog.has(s)) group.backlog.set(s, false);
        }
      }
      try {
        if (own.length > 0) await this.refresh(own, true, null);
        if (front.length > 0) await this.refresh(front, touch, changedAt);
        // The back a slice at a time (at least one per round): news goes first.
        do {
          const slice = takeSlice(group.backlog, BACK_SLICE);
          const touched = slice.filter(([, t]) => t).map(([sub]) => sub);
          const plain = slice.filter(([, t]) => !t).map(([sub]) => sub);
          if (touched.length > 0) await this.refresh(touched, true, null);
          if (plain.length > 0) await this.refresh(plain, false, null);
        } while (group.backlog.size > 0 && !hasNews(group));
      } catch (error) {
        this.deps.log.warn({ err: error, concertId: group.concertId }, "queue push refresh failed");
      }
    }
  }

  /**
   * ONE pipelined round trip for all targets (subscribers of one concert), then a push to those
   * whose ticket changed.
   */
  private async refresh(targets: Subscriber[], touch: boolean, changedAt: number | null): Promise<void> {
    const live = targets.filter((s) => !s.stream.isEnded);
    if (live.length === 0) return;
    const now = this.deps.clock.now().getTime();
    const maxRate = this.deps.maxAdmissionRate?.(live[0]!.caller.concertId);
    const views = await this.deps.store.views(
      live.map((s) => refOf(s.caller)),
      now,
      touch,
    );
    live.forEach((sub, i) => {
      const ticket = this.deps.present(sub.caller, views[i]!);
      sub.front = isFront(this.cadence, ticket, maxRate);
      const print = fingerprint(ticket);
      if (print === sub.last) {
        sub.staleSince = null;
        return;
      }
      // Back-pressure: a WAITING update while the last push is unwritten waits for a later read.
      const skippable = ticket.status === "WAITING" && sub.last?.startsWith("WAITING|") === true;
      if (skippable && sub.stream.unwritten > 0) {
        sub.staleSince ??= now;
        this.deps.observeSkip?.();
        return;
      }
      sub.staleSince = null;
      sub.last = print;
      sub.stream.send(ticket);
      if (ticket.status === "EXPIRED") sub.stream.end();
      if (changedAt !== null) this.deps.observePush?.(this.deps.clock.now().getTime() - changedAt);
    });
  }
}
