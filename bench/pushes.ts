// What the queue's pushes must satisfy, checked per subscriber against the admission log.
// With C_j the admissions up to tick j, a subscriber first at position p0 is at p0 - C_j after
// tick j while C_j < p0, and ACTIVE at the first tick with C_j >= p0. Every push is matched to
// the tick whose position it carries and timed from that tick (same clock: Date.now()).
//
// The cadence the issue asks for: a subscriber in the first FRONT places when a tick happens
// sees that tick's change (its push is timed into the front latency); further back a fresh
// position at least every 5 s. "Gap" = how long a subscriber's position was out of date: from
// the first tick it has not seen to the arrival of a push that reflects it (or a later tick),
// and for one still behind at the end, until `now`. With every change pushed the gap is the push
// latency; with a 5 s cadence it is at most 5 s plus the latency. At the end every subscriber
// must hold its final state (its last push = the current position, or ACTIVE): else it is lost.
import type { Push } from "./queue-watcher.js";

export const FRONT = 1000;

export interface Tick {
  at: number;
  admitted: number;
}

export interface PushAnalysis {
  subscribers: number;
  received: number;
  /** Tick → arrival of pushes to subscribers in the first FRONT places at that tick. */
  frontLatencies: number[];
  /** Tick → arrival of every matched push. */
  latencies: number[];
  /** Per subscriber: the longest time its position was out of date (ms). */
  maxGaps: number[];
  /** Front subscribers' ticks that brought no push of their own (a change they did not see). */
  frontMissed: number;
  /** Ticks folded into a later push further back (allowed by the 5 s cadence). */
  coalesced: number;
  /** A push for an earlier tick after a later one, or a position after ACTIVE. */
  outOfOrder: number;
  /** The same position pushed again (harmless; counted apart). */
  repeated: number;
  /** Positions that match no tick (should be 0). */
  unexplained: number;
  /** Subscribers whose last push is not their final state after the drain. */
  lost: number;
  active: number;
}

export function emptyAnalysis(): PushAnalysis {
  return {
    subscribers: 0,
    received: 0,
    frontLatencies: [],
    latencies: [],
    maxGaps: [],
    frontMissed: 0,
    coalesced: 0,
    outOfOrder: 0,
    repeated: 0,
    unexplained: 0,
    lost: 0,
    active: 0,
  };
}

export function mergeAnalyses(parts: PushAnalysis[]): PushAnalysis {
  const out = emptyAnalysis();
  for (const p of parts) {
    for (const k of Object.keys(out) as (keyof PushAnalysis)[]) {
      const v = p[k];
      if (Array.isArray(v)) for (const x of v) (out[k] as number[]).push(x);
      else (out[k] as number) += v;
    }
  }
  return out;
}

/** `pushes[0]` is each subscriber's first push (its place before the window); WAITING only. */
export function analysePushes(
  subscribers: Push[][],
  ticks: Tick[],
  now = Date.now(),
  front = FRONT,
): PushAnalysis {
  const sorted = [...ticks].sort((a, b) => a.at - b.at);
  const cumulative: number[] = [];
  sorted.reduce((sum, t) => (cumulative.push(sum + t.admitted), sum + t.admitted), 0);
  const tickOfCumulative = new Map(cumulative.map((c, j) => [c, j]));
  const total = cumulative.at(-1) ?? 0;
  const out = emptyAnalysis();
  for (const pushes of subscribers) {
    const p0 = pushes[0]?.position;
    if (!pushes[0] || pushes[0].status !== "WAITING" || !p0) continue;
    out.subscribers++;
    const activeTick = cumulative.findIndex((c) => c >= p0);
    const placeBefore = (j: number) => p0 - (j > 0 ? cumulative[j - 1]! : 0);
    let lastTick = -1;
    let sawActive = false;
    let last: Push = pushes[0];
    let maxGap = 0;
    for (const p of pushes.slice(1)) {
      if (p.status === "EXPIRED") break;
      out.received++;
      const j = p.status === "ACTIVE" ? activeTick : (tickOfCumulative.get(p0 - (p.position ?? 0)) ?? -2);
      if (j < 0) {
        out.unexplained++;
        continue;
      }
      if (j === lastTick && p.status === last.status && p.position === last.position) {
        out.repeated++;
        continue;
      }
      if (j < lastTick || sawActive) {
        out.outOfOrder++;
        continue;
      }
      for (let k = lastTick + 1; k < j; k++) {
        if (placeBefore(k) <= front) out.frontMissed++;
        else out.coalesced++;
      }
      const latency = p.at - sorted[j]!.at;
      out.latencies.push(latency);
      if (placeBefore(j) <= front) out.frontLatencies.push(latency);
      // Out of date since the first tick after the last one seen, until this push arrived.
      maxGap = Math.max(maxGap, p.at - sorted[lastTick + 1]!.at);
      lastTick = j;
      last = p;
      if (p.status === "ACTIVE") sawActive = true;
    }
    if (!sawActive && lastTick < sorted.length - 1) maxGap = Math.max(maxGap, now - sorted[lastTick + 1]!.at);
    out.maxGaps.push(maxGap);
    if (sawActive) out.active++;
    const finalOk =
      activeTick >= 0
        ? sawActive
        : last.status === "WAITING" && last.position === p0 - total && (total === 0 || lastTick >= 0);
    if (!finalOk) out.lost++;
  }
  return out;
}
