// The seat maps themselves and how they stay exact (seat-board.ts answers from them): one map per
// concert an instance was asked about, loaded from SQL, moved by the SEAT_CHANGED events of every
// instance, compared with the per-date versions in Redis, and read again (one date, or the whole
// concert) when they disagree. docs/reservations.md, "Seat reads from memory".
import type { Clock } from "../../platform/clock.js";
import type { Logger } from "../../platform/logger.js";
import type { SeatMapMetrics } from "../../platform/metrics/metrics.js";
import type { Redis } from "../../platform/redis/redis.js";
import type { AppPubSub } from "../../platform/redis/pubsub.js";
import type { Topics } from "../../platform/redis/topics.js";
import type { ConcertRepository } from "./concert.repository.js";
import { applyTo, mapsOf, type ConcertMap, type DateMap, type VersionedSeatChange } from "./seat-cells.js";

export interface SeatMapsDeps {
  redis: Redis;
  pubsub: AppPubSub<Topics>;
  prefix: string;
  clock: Clock;
  log: Logger;
  repository: ConcertRepository;
  metrics?: SeatMapMetrics;
}

export class SeatMaps {
  private readonly concerts = new Map<string, ConcertMap>();
  private readonly dates = new Map<string, { concert: ConcertMap; map: DateMap }>();
  private readonly subscribed = new Set<string>();

  constructor(private readonly deps: SeatMapsDeps) {}

  has(concertId: string): boolean {
    return this.concerts.has(concertId);
  }

  /** The date's entry whether or not it may answer now (its ref is fixed). */
  known(concertDateId: string): { concert: ConcertMap; map: DateMap } | undefined {
    return this.dates.get(concertDateId);
  }

  /** One event heard on the date's channel (or made here). */
  apply(event: VersionedSeatChange): void {
    const found = this.dates.get(event.concertDateId);
    if (!found) return;
    const { concert, map } = found;
    if (concert.loading || concert.rereading.has(event.concertDateId)) {
      concert.pending.push(event);
      return;
    }
    if (event.version !== undefined) {
      if (event.version <= map.base) return;
      map.seen.add(event.version);
      while (map.seen.delete(map.contiguous + 1)) map.contiguous += 1;
    }
    const cell = map.cells.get(event.number);
    if (!cell) return;
    applyTo(cell, event, this.deps.clock.now().getTime());
    map.changes += 1;
  }

  /**
   * Compares each loaded date's version with Redis: a date whose version is still missing since
   * the last check, or whose counter is behind ours (Redis lost it), is read again (that date
   * only; the whole concert when it is not ready). Run every CHECK_INTERVAL_MS.
   */
  async checkVersions(): Promise<void> {
    for (const concert of this.concerts.values()) {
      if (concert.loading) continue;
      let versions: number[];
      try {
        versions = await this.readVersions(concert.dates.map((d) => d.ref.id));
      } catch (error) {
        // Events may be lost while Redis is away: answer from SQL until a check succeeds.
        concert.ready = false;
        this.deps.log.warn({ err: error }, "seat version check failed; seat reads go to SQL");
        continue;
      }
      const stale = new Set<string>();
      concert.dates.forEach((d, i) => {
        const inRedis = versions[i]!;
        const wasMissing = d.missing !== null && d.contiguous < d.missing;
        d.missing = inRedis > d.contiguous ? inRedis : null;
        if (inRedis < d.contiguous || wasMissing) stale.add(d.ref.id);
      });
      if (!concert.ready) this.reload(concert);
      else if (stale.size > 0) this.reload(concert, stale);
    }
  }

  /** Drops what an operator changed (CATALOGUE_CHANGED); it is read again when next asked. */
  forget(concertId: string): void {
    const concert = this.concerts.get(concertId);
    if (!concert) return;
    this.concerts.delete(concertId);
    for (const d of concert.dates) this.dates.delete(d.ref.id);
  }

  /** The date's map when it may answer: its concert is loaded and the date is not being read. */
  readyDate(concertDateId: string) {
    const found = this.dates.get(concertDateId);
    const concert = found?.concert;
    return concert && concert.ready && !concert.loading && !concert.rereading.has(concertDateId)
      ? found
      : undefined;
  }

  /** The concert's maps when every date may answer (availableDates counts them all). */
  async ready(concertId: string): Promise<ConcertMap | undefined> {
    await this.ensure(concertId);
    const concert = this.concerts.get(concertId);
    return concert?.ready && !concert.loading && concert.rereading.size === 0 ? concert : undefined;
  }

  async ensure(concertId: string): Promise<void> {
    const concert = this.concerts.get(concertId);
    if (concert) return concert.loading;
    const fresh: ConcertMap = {
      concertId,
      dates: [],
      ready: false,
      skew: 0,
      rereading: new Set(),
      pending: [],
    };
    this.concerts.set(concertId, fresh);
    return this.load(fresh);
  }

  /**
   * The whole concert again, or only `dateIds` (a stale date must not cost every date's rows,
   * nor send the reads of the others to SQL while it is read).
   */
  reload(concert: ConcertMap, dateIds?: Set<string>): void {
    if (concert.loading) return;
    if (!dateIds) {
      concert.ready = false;
      // Not over dates still being read on their own: the next check starts it (not ready).
      if (concert.rereading.size === 0) void this.load(concert);
      return;
    }
    const fresh = new Set([...dateIds].filter((id) => !concert.rereading.has(id)));
    if (fresh.size > 0) void this.loadDates(concert, fresh);
  }

  /** Some dates of a loaded concert on their own; their events meanwhile are applied after. */
  private async loadDates(concert: ConcertMap, dateIds: Set<string>): Promise<void> {
    for (const id of dateIds) concert.rereading.add(id);
    this.deps.metrics?.reread("dates");
    try {
      await this.readDates(concert, dateIds);
    } catch (error) {
      // The dates may be stale: every read of the concert goes to SQL until the next check
      // reads it whole.
      concert.ready = false;
      this.deps.log.warn(
        { err: error, concertId: concert.concertId },
        "seat map read failed; reads go to SQL",
      );
    } finally {
      for (const id of dateIds) concert.rereading.delete(id);
      const theirs = concert.pending.filter((e) => dateIds.has(e.concertDateId));
      concert.pending = concert.pending.filter((e) => !dateIds.has(e.concertDateId));
      if (concert.ready) for (const event of theirs) this.apply(event);
    }
  }

  /** The whole concert: every read of it goes to SQL until it is in. */
  private load(concert: ConcertMap): Promise<void> {
    if (concert.dates.length > 0) this.deps.metrics?.reread("concert");
    concert.loading = this.read(concert)
      .then(() => {
        concert.ready = true;
      })
      .catch((error: unknown) => {
        concert.ready = false;
        this.deps.log.warn(
          { err: error, concertId: concert.concertId },
          "seat map load failed; reads go to SQL",
        );
      })
      .finally(() => {
        concert.loading = undefined;
        const pending = concert.pending.splice(0);
        if (concert.ready) for (const event of pending) this.apply(event);
      });
    return concert.loading;
  }

  /** Subscribe, then the versions, then the rows: a change numbered up to the version is in the rows. */
  private async read(concert: ConcertMap): Promise<void> {
    const { repository } = this.deps;
    const refs = await repository.datesOf(concert.concertId);
    for (const ref of refs) this.listen(ref.id);
    const versions = await this.readVersions(refs.map((r) => r.id));
    const local = this.deps.clock.now().getTime();
    const rows = await repository.liveSeatsOf(concert.concertId);
    if (!this.isCurrent(concert)) return;
    concert.skew = rows[0] ? rows[0].dbNow.getTime() - local : 0;
    const maps = mapsOf(refs, versions, rows, local);
    for (const old of concert.dates) this.dates.delete(old.ref.id);
    concert.dates = maps;
    for (const map of maps) this.dates.set(map.ref.id, { concert, map });
  }

  /** Some dates of a loaded concert, in the same order (versions, then rows); the rest are kept. */
  private async readDates(concert: ConcertMap, dateIds: Set<string>): Promise<void> {
    const refs = concert.dates.filter((d) => dateIds.has(d.ref.id)).map((d) => d.ref);
    const versions = await this.readVersions(refs.map((r) => r.id));
    const local = this.deps.clock.now().getTime();
    const rows = await this.deps.repository.liveSeatsOfDates(refs.map((r) => r.id));
    if (!this.isCurrent(concert)) return;
    if (rows[0]) concert.skew = rows[0].dbNow.getTime() - local;
    const fresh = new Map(mapsOf(refs, versions, rows, local).map((m) => [m.ref.id, m]));
    concert.dates = concert.dates.map((d) => fresh.get(d.ref.id) ?? d);
    for (const map of fresh.values()) this.dates.set(map.ref.id, { concert, map });
  }

  /** Not dropped by forget() while it was being read (an operator's change): its rows are not kept. */
  private isCurrent(concert: ConcertMap): boolean {
    return this.concerts.get(concert.concertId) === concert;
  }

  private listen(concertDateId: string): void {
    if (this.subscribed.has(concertDateId)) return;
    this.subscribed.add(concertDateId);
    const stream = this.deps.pubsub.subscribe("SEAT_CHANGED", concertDateId);
    void (async () => {
      for await (const event of stream) this.apply(event as VersionedSeatChange);
    })().catch((error: unknown) => this.deps.log.warn({ err: error }, "seat event stream ended"));
  }

  private async readVersions(dateIds: string[]): Promise<number[]> {
    const values = await Promise.all(dateIds.map((id) => this.deps.redis.get(this.versionKey(id))));
    return values.map((v) => Number(v ?? 0));
  }

  readonly versionKey = (dateId: string) => `${this.deps.prefix}seatver:{${dateId}}`;
  readonly dbNow = (concert: ConcertMap) => this.deps.clock.now().getTime() + concert.skew;
}
