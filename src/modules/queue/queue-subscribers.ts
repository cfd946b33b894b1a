// The registry entries of the queue's push hub (queue-updates.ts): one per local subscriber,
// grouped by concert.
import type { LiveStream } from "../../platform/graphql/live-stream.js";
import type { QueueCaller } from "./queue-guard.js";
import type { QueueTicketData } from "./queue.service.js";

/** The per-concert change events of every instance (the Redis pubsub in production). */
export interface QueueChangeFeed {
  listen(concertId: string): AsyncIterator<unknown> & { return?(): Promise<IteratorResult<unknown>> };
}

export interface Subscriber {
  caller: QueueCaller;
  stream: LiveStream<QueueTicketData>;
  /** What was pushed last (its fingerprint: status first); null before the first push. */
  last: string | null;
  /** Not WAITING, or within the front, at the last read: every change is pushed at once. */
  front: boolean;
  /** When this (back) subscriber first missed a change; null while fresh. */
  staleSince: number | null;
  /** Its fixed place in the back period, in [0, 1). */
  phase: number;
}

export interface ConcertGroup {
  concertId: string;
  subscribers: Set<Subscriber>;
  fresh: Set<Subscriber>;
  /** Read every subscriber (a heartbeat, a pause or sold-out flip). */
  refreshAll: boolean;
  touch: boolean;
  /** A change event arrived: the front and the due part of the back are read. */
  changed: boolean;
  /** Look for back subscribers that came due (the catch-up run). */
  catchUp: boolean;
  running: Promise<void> | null;
  feed: ReturnType<QueueChangeFeed["listen"]>;
  /** Users whose own ticket alone changed (an ACTIVE ticket ended), pending a refresh. */
  users: Set<string>;
  /** The subscribers of each user, so that such a change is found without reading everyone. */
  byUser: Map<string, Set<Subscriber>>;
  /** `at` of the oldest change not yet refreshed (push latency is measured from it). */
  changedAt: number | null;
  /**
   * Back subscribers due for a read that has not run yet, each with its heartbeat flag: read a
   * slice at a time, so that a change arriving meanwhile reaches the front first.
   */
  backlog: Map<Subscriber, boolean>;
}

/**
 * What a push said, kept per subscriber until the next one. Joined, not a template literal: V8
 * builds a template literal of this length as a tree of ~20 string pieces, and an idle
 * subscriber kept that tree (about 600 bytes) instead of one flat string.
 */
export const fingerprint = (t: QueueTicketData) =>
  [
    t.status,
    t.position ?? "",
    t.activeUntil ? t.activeUntil.getTime() : "",
    t.saleOpensAt?.getTime() ?? "",
    t.admissionPaused,
    t.soldOut,
  ].join("|");

/** Registers a new subscriber of the group (a first push pending). */
export function addSubscriber(group: ConcertGroup, sub: Subscriber): void {
  group.subscribers.add(sub);
  group.fresh.add(sub);
  const mine = group.byUser.get(sub.caller.userId);
  if (mine) mine.add(sub);
  else group.byUser.set(sub.caller.userId, new Set([sub]));
}

/** Forgets a subscriber everywhere the group keeps it. */
export function removeSubscriber(group: ConcertGroup, sub: Subscriber): void {
  group.subscribers.delete(sub);
  group.fresh.delete(sub);
  group.backlog.delete(sub);
  const mine = group.byUser.get(sub.caller.userId);
  mine?.delete(sub);
  if (mine?.size === 0) group.byUser.delete(sub.caller.userId);
}

/** The subscribers of these users. */
export function subscribersOf(group: ConcertGroup, users: Set<string>): Subscriber[] {
  return [...users].flatMap((userId) => [...(group.byUser.get(userId) ?? [])]);
}
