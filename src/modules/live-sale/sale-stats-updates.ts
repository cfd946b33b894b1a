// saleStatsUpdates at O(1) cost per concert per tick, however many operators watch: each instance
// keeps its own operator subscribers by concert, computes the figures ONCE per concert per tick
// (one Redis script and two MySQL statements), and pushes them to every local subscriber of that
// concert only when a figure changed (`at` aside). A new subscriber gets the last computed figures
// at once (or the first computation, when it is the concert's first watcher here).
import type { Logger } from "../../platform/logger.js";
import { failedStream } from "../../platform/graphql/failed-stream.js";
import { LiveStream } from "../../platform/graphql/live-stream.js";
import type { SaleStatsData } from "./sale-stats.service.js";

export interface StatsSource {
  stats(concertId: string): Promise<SaleStatsData>;
}

interface Group {
  concertId: string;
  subscribers: Set<LiveStream<SaleStatsData>>;
  latest: SaleStatsData | null;
  print: string | null;
  running: Promise<SaleStatsData> | null;
}

/** Everything but `at`: a push says that a figure changed. */
const fingerprint = (s: SaleStatsData) => JSON.stringify({ ...s, at: undefined });

export class SaleStatsHub {
  private readonly groups = new Map<string, Group>();
  /** Computations since start (tests and the bench read it). */
  computations = 0;

  constructor(
    private readonly source: StatsSource,
    private readonly log: Logger,
  ) {}

  /** Local operator subscribers right now. */
  get size(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.subscribers.size;
    return n;
  }

  /** The figures at once (NOT_FOUND ends the stream for an unknown concert), then every change. */
  async subscribe(concertId: string): Promise<AsyncIterableIterator<SaleStatsData>> {
    const group = this.group(concertId);
    let first: SaleStatsData;
    try {
      first = group.latest ?? (await this.compute(group));
    } catch (error) {
      if (group.subscribers.size === 0) this.groups.delete(concertId);
      return failedStream(error);
    }
    const stream: LiveStream<SaleStatsData> = new LiveStream(() => this.remove(group, stream));
    group.subscribers.add(stream);
    stream.send(first);
    return stream.iterator;
  }

  /**
   * One tick: per watched concert one computation (a concert whose last one still runs is
   * skipped, so a slow database never piles work up), pushed to all its subscribers if changed.
   */
  async tick(): Promise<void> {
    await Promise.all(
      [...this.groups.values()].map(async (group) => {
        if (group.running || group.subscribers.size === 0) return;
        const before = group.print;
        try {
          const stats = await this.compute(group);
          if (group.print === before) return;
          for (const stream of group.subscribers) stream.send(stats);
        } catch (error) {
          this.log.warn({ err: error, concertId: group.concertId }, "sale stats refresh failed");
        }
      }),
    );
  }

  private group(concertId: string): Group {
    let group = this.groups.get(concertId);
    if (!group) {
      group = { concertId, subscribers: new Set(), latest: null, print: null, running: null };
      this.groups.set(concertId, group);
    }
    return group;
  }

  /** One computation per group at a time; callers that arrive meanwhile share it. */
  private compute(group: Group): Promise<SaleStatsData> {
    if (!group.running) {
      this.computations += 1;
      group.running = this.source
        .stats(group.concertId)
        .then((stats) => {
          group.latest = stats;
          group.print = fingerprint(stats);
          return stats;
        })
        .finally(() => {
          group.running = null;
        });
    }
    return group.running;
  }

  private remove(group: Group, stream: LiveStream<SaleStatsData>): void {
    group.subscribers.delete(stream);
    if (group.subscribers.size === 0 && this.groups.get(group.concertId) === group)
      this.groups.delete(group.concertId);
  }
}
