// Who is refreshed on a queue change (docs/queue.md, "Live updates at scale"). Near the front
// every change is pushed at once; further back a subscriber is refreshed at most every few
// seconds, at a per-subscriber phase so that 50,000 of them do not all come due on one tick.
// Pure arithmetic on numbers, so the rule is unit-tested with a fake clock.

export interface PushCadence {
  /** The first this many places in line get every change at once. */
  frontPlaces: number;
  /** A subscriber further back is refreshed within this long after a change it missed. */
  backMs: number;
}

/** 3.5 s, so that with the catch-up run (below) and a busy refresh a fresh position arrives within 5 s. */
export const DEFAULT_CADENCE: PushCadence = { frontPlaces: 1000, backMs: 3500 };

/** How often the hub looks for back subscribers that came due without a change event. */
export const CATCH_UP_MS = 500;

/**
 * Near the front: not WAITING (ACTIVE and PREQUEUED change by events), within the first
 * `frontPlaces`, or able to get there before its next back refresh. That is, expected in less
 * than two back periods at the observed admission rate, or at `maxRatePerSecond`, the fastest
 * the concert's policy admits (admitPerTick per tick). The observed rate is an average over
 * the last minute, so it lags every start of admission: right after an opening or a pause,
 * only the configured rate keeps those who will be in the first places in time counted as
 * front.
 */
export function isFront(
  cadence: PushCadence,
  ticket: { status: string; position: number | null; estimatedWaitSeconds: number },
  maxRatePerSecond = 0,
): boolean {
  if (ticket.status !== "WAITING" || ticket.position === null) return true;
  const reachSoon = 2 * cadence.backMs;
  return (
    ticket.position <= cadence.frontPlaces ||
    ticket.estimatedWaitSeconds * 1000 <= reachSoon ||
    ticket.position * 1000 <= maxRatePerSecond * reachSoon
  );
}

/**
 * When a back subscriber that missed a change at `staleSinceMs` must be refreshed: between half
 * and all of the back period later, by its fixed `phase` in [0, 1).
 */
export function dueAt(cadence: PushCadence, staleSinceMs: number, phase: number): number {
  return staleSinceMs + Math.floor(cadence.backMs * (0.5 + phase / 2));
}
