// Every instance's in-memory seat map of the concerts it was asked about, kept exact by the
// SEAT_CHANGED events every instance hears (Redis pubsub), so that availableDates,
// availableSeats and seatMap answer without SQL, and reserveSeat refuses a seat known taken
// without a MySQL round trip (SeatGate). The hold itself is still decided by the INSERT.
//
// Why it stays exact (reservation ids, per-date versions in Redis, re-reads, SQL meanwhile):
// docs/reservations.md, "Seat reads from memory".
import type { Clock } from "../../platform/clock.js";
import type { Logger } from "../../platform/logger.js";
import type { SeatMapMetrics } from "../../platform/metrics/metrics.js";
import type { Redis } from "../../platform/redis/redis.js";
import type { AppPubSub } from "../../platform/redis/pubsub.js";
import type { CatalogueChangedEvent, SeatChangedEvent, Topics } from "../../platform/redis/topics.js";
import type { SeatChangeDetail, SeatEvents, SeatGate } from "../reservation/reservation.service.js";
import type { AvailableDateView, ConcertDateRef, SeatStateView, SeatView } from "./concert.model.js";
import type { ConcertRepository } from "./concert.repository.js";
import {
  applyTo,
  countFree,
  mapsOf,
  bySeatNumber,
  statusAt,
  type ConcertMap,
  type DateMap,
  type VersionedSeatChange,
} from "./seat-cells.js";

/** How often each instance compares its versions with Redis (a lost event is found by the second). */
export const CHECK_INTERVAL_MS = 250;
/**
 * A seat learned taken (an event, a load or a refusal by MySQL) is refused without MySQL for
 * this long, never longer than one hold: a gate made stale by a lost event can only send
 * requests on to MySQL after that (SeatBoard.knownTaken).
 */
export const GATE_MS = 500;

export interface SeatBoardDeps {
  redis: Redis;
  pubsub: AppPubSub<Topics>;
  prefix: string;
  clock: Clock;
  log: Logger;
  /** SQL reads: the maps' loads, and the answers for a date whose map is not ready. */
  repository: ConcertRepository;
  holdSeconds: number;
  metrics?: SeatMapMetrics;
}

export class SeatBoard implements SeatEvents, SeatGate {
  private readonly concerts = new Map<string, ConcertMap>();
  private readonly dates = new Map<string, { concert: ConcertMap; map: DateMap }>();
  private readonly subscribed = new Set<string>();
  private readonly gateMs: number;

  constructor(private readonly deps: SeatBoardDeps) {
    this.gateMs = Math.min(GATE_MS, deps.holdSeconds * 1000);
  }

  // Reads (ConcertReads).
  listConcerts() {
    return this.deps.repository.listConcerts();
  }

  async concertExists(concertId: string): Promise<boolean> {
    if (this.concerts.has(concertId)) return true;
    return this.deps.repository.concertExists(concertId);
  }

  async findDate(concertDateId: string): Promise<ConcertDateRef | null> {
    const known = this.dates.get(concertDateId);
    if (known) return known.map.ref;
    const date = await this.deps.repository.findDate(concertDateId);
    if (date) await this.ensure(date.concertId);
    return date;
  }

  async availableDates(concertId: string, from: Date): Promise<AvailableDateView[]> {
    const concert = await this.ready(concertId);
    this.deps.metrics?.seatRead(concert ? "memory" : "sql");
    if (!concert) return this.deps.repository.availableDates(concertId, from);
    const day = from.toISOString().slice(0, 10);
    const now = this.dbNow(concert);
    return concert.dates
      .filter((d) => d.ref.date.toISOString().slice(0, 10) >= day)
      .map((d) => ({ ...d.ref, availableSeatCount: countFree(d, now) }))
      .filter((d) => d.availableSeatCount > 0);
  }

  async availableSeats(concertDateId: string): Promise<SeatView[]> {
    const found = this.readyDate(concertDateId);
    this.deps.metrics?.seatRead(found ? "memory" : "sql");
    if (!found) return this.deps.repository.availableSeats(concertDateId);
    const now = this.dbNow(found.concert);
    return [...bySeatNumber(found.map)]
      .filter((c) => statusAt(c, now) === "FREE")
      .map((c) => ({ number: c.number, price: c.price }));
  }

  async seatMap(concertDateId: string): Promise<SeatStateView[]> {
    const found = this.readyDate(concertDateId);
    this.deps.metrics?.seatRead(found ? "memory" : "sql");
    if (!found) return this.deps.repository.seatMap(concertDateId);
    const now = this.dbNow(found.concert);
    return [...bySeatNumber(found.map)].map((c) => ({
      number: c.number,
      price: c.price,
      status: statusAt(c, now),
    }));
  }

  // The gate (SeatGate).
  knownTaken(concertId: string, concertDateId: string, seatNumber: number): boolean {
    // The first hold of a concert on this instance loads its map for the next ones.
    if (!this.concerts.has(concertId)) void this.ensure(concertId);
    const found = this.readyDate(concertDateId);
    const cell = found?.map.cells.get(seatNumber);
    if (!found || !cell) return false;
    if (cell.status === "SOLD") return true;
    const local = this.deps.clock.now().getTime();
    return statusAt(cell, this.dbNow(found.concert)) === "HELD" && local - cell.takenAt <= this.gateMs;
  }

  refused(concertDateId: string, seatNumber: number): void {
    const found = this.readyDate(concertDateId);
    const cell = found?.map.cells.get(seatNumber);
    if (!found || !cell) return;
    if (statusAt(cell, this.dbNow(found.concert)) === "FREE") {
      // MySQL knows better: the map missed something on this date.
      this.reload(found.concert, new Set([concertDateId]));
      return;
    }
    cell.takenAt = this.deps.clock.now().getTime();
  }

  // Events (SeatEvents).
  /** Applies a change made here at once, then numbers it (INCR) and publishes it to every instance. */
  publish(change: SeatChangedEvent, detail?: SeatChangeDetail): void {
    const event: VersionedSeatChange = {
      ...change,
      ...(detail && { reservationId: detail.reservationId }),
      ...(detail?.expiresAt && { expiresAt: detail.expiresAt.getTime() }),
    };
    this.apply(event);
    this.deps.redis.incr(this.versionKey(change.concertDateId)).then(
      (version) => {
        const numbered: VersionedSeatChange = { ...event, version };
        this.deps.pubsub.publish("SEAT_CHANGED", change.concertDateId, numbered);
      },
      (error: unknown) => {
        this.deps.log.warn({ err: error }, "seat version INCR failed; publishing unnumbered");
        this.deps.pubsub.publish("SEAT_CHANGED", change.concertDateId, event);
      },
    );
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
    if (cell) applyTo(cell, event, this.deps.clock.now().getTime());
  }

  // Freshness.
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
  forget(event: CatalogueChangedEvent): void {
    const concert = this.concerts.get(event.concertId);
    if (!concert) return;
    this.concerts.delete(event.concertId);
    for (const d of concert.dates) this.dates.delete(d.ref.id);
  }

  /** The date's map when it may answer: its concert is loaded and the date is not being read. */
  private readyDate(concertDateId: string) {
    const found = this.dates.get(concertDateId);
    const concert = found?.concert;
    return concert && concert.ready && !concert.loading && !concert.rereading.has(concertDateId)
      ? found
      : undefined;
  }

  /** The concert's maps when every date may answer (availableDates counts them all). */
  private async ready(concertId: string): Promise<ConcertMap | undefined> {
    await this.ensure(concertId);
    const concert = this.concerts.get(concertId);
    return concert?.ready && !concert.loading && concert.rereading.size === 0 ? concert : undefined;
  }

  private async ensure(concertId: string): Promise<void> {
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
  private reload(concert: ConcertMap, dateIds?: Set<string>): void {
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

  private readonly versionKey = (dateId: string) => `${this.deps.prefix}seatver:{${dateId}}`;
  private readonly dbNow = (concert: ConcertMap) => this.deps.clock.now().getTime() + concert.skew;
}
