// Every instance's in-memory seat map of the concerts it was asked about, kept exact by the
// SEAT_CHANGED events every instance hears (Redis pubsub), so that availableDates,
// availableSeats and seatMap answer without SQL, and reserveSeat refuses a seat known taken
// without a MySQL round trip (SeatGate). The hold itself is still decided by the INSERT.
//
// Exactness: each change carries its reservation id (a late FREE of an older hold never frees
// a seat held since) and a per-date version from Redis (INCR after the change committed). A
// concert is loaded once: subscribe, read the versions, then the seats (so a change numbered up
// to the version read is in the rows). A version that stays missing for one check
// (CHECK_INTERVAL_MS), a counter that went back (Redis restarted), a refusal by MySQL of a seat
// the map had as free, or a check that cannot reach Redis: the map is read again, and until it
// is, the date answers from SQL.
import type { Clock } from "../../platform/clock.js";
import type { Db } from "../../platform/db/prisma.js";
import type { Logger } from "../../platform/logger.js";
import type { Redis } from "../../platform/redis/redis.js";
import type { AppPubSub } from "../../platform/redis/pubsub.js";
import type { CatalogueChangedEvent, SeatChangedEvent, Topics } from "../../platform/redis/topics.js";
import type { SeatChangeDetail, SeatEvents, SeatGate } from "../reservation/reservation.service.js";
import type {
  AvailableDateView,
  ConcertDateRef,
  SeatStateView,
  SeatStatus,
  SeatView,
} from "./concert.model.js";
import type { ConcertRepository } from "./concert.repository.js";

/** How often each instance compares its versions with Redis (a lost event is found by the second). */
export const CHECK_INTERVAL_MS = 250;
/**
 * A seat learned taken (an event, a load or a refusal by MySQL) is refused without MySQL for
 * this long, never longer than one hold: a gate made stale by a lost event can only send
 * requests on to MySQL after that (SeatBoard.knownTaken).
 */
export const GATE_MS = 500;

/** What a published SEAT_CHANGED carries beyond the public SeatChange. */
export interface VersionedSeatChange extends SeatChangedEvent {
  reservationId?: string;
  /** ms since epoch, database clock (HELD). */
  expiresAt?: number;
  version?: number;
}

export interface Cell {
  id: string;
  number: number;
  price: number;
  status: SeatStatus;
  holder: string | null;
  /** HELD: database time (ms) when the hold lapses. */
  until: number;
  /** The last reservation seen to end on this seat (a late HELD of it is ignored). */
  ended: string | null;
  /** Local time (ms) when the seat was last learned taken. */
  takenAt: number;
}

interface DateMap {
  ref: ConcertDateRef & { startsAt: Date };
  cells: Map<number, Cell>;
  base: number;
  contiguous: number;
  seen: Set<number>;
  /** A version Redis had that had not arrived at the last check. */
  missing: number | null;
}

interface ConcertMap {
  concertId: string;
  dates: DateMap[];
  ready: boolean;
  /** database time − local clock, measured at load. */
  skew: number;
  loading?: Promise<void>;
  pending: VersionedSeatChange[];
}

export interface SeatBoardDeps {
  prisma: Db;
  redis: Redis;
  pubsub: AppPubSub<Topics>;
  prefix: string;
  clock: Clock;
  log: Logger;
  /** SQL reads, for a date whose map is not ready. */
  repository: ConcertRepository;
  holdSeconds: number;
}

export class SeatBoard implements SeatEvents, SeatGate {
  private readonly concerts = new Map<string, ConcertMap>();
  private readonly dates = new Map<string, { concert: ConcertMap; map: DateMap }>();
  private readonly subscribed = new Set<string>();
  private readonly gateMs: number;

  constructor(private readonly deps: SeatBoardDeps) {
    this.gateMs = Math.min(GATE_MS, deps.holdSeconds * 1000);
  }

  // ---- reads (ConcertReads) ----

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
    if (!found) return this.deps.repository.availableSeats(concertDateId);
    const now = this.dbNow(found.concert);
    return sorted(found.map)
      .filter((c) => statusAt(c, now) === "FREE")
      .map((c) => ({ number: c.number, price: c.price }));
  }

  async seatMap(concertDateId: string): Promise<SeatStateView[]> {
    const found = this.readyDate(concertDateId);
    if (!found) return this.deps.repository.seatMap(concertDateId);
    const now = this.dbNow(found.concert);
    return sorted(found.map).map((c) => ({ number: c.number, price: c.price, status: statusAt(c, now) }));
  }

  // ---- the gate (SeatGate) ----

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
      // MySQL knows better: the map missed something.
      this.reload(found.concert);
      return;
    }
    cell.takenAt = this.deps.clock.now().getTime();
  }

  // ---- events (SeatEvents) ----

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
    if (concert.loading) {
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

  // ---- freshness ----

  /**
   * Compares each loaded date's version with Redis: a version still missing since the last
   * check, or a counter behind ours (Redis lost it), reads the concert again. Run every
   * CHECK_INTERVAL_MS (concert.module.ts).
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
      const stale =
        !concert.ready ||
        concert.dates.some((d, i) => {
          const inRedis = versions[i]!;
          if (inRedis < d.contiguous) return true;
          const wasMissing = d.missing !== null && d.contiguous < d.missing;
          d.missing = inRedis > d.contiguous ? inRedis : null;
          return wasMissing;
        });
      if (stale) this.reload(concert);
    }
  }

  /** Drops what an operator changed (CATALOGUE_CHANGED); it is read again when next asked. */
  forget(event: CatalogueChangedEvent): void {
    const concert = this.concerts.get(event.concertId);
    if (!concert) return;
    this.concerts.delete(event.concertId);
    for (const d of concert.dates) this.dates.delete(d.ref.id);
  }

  private readyDate(concertDateId: string) {
    const found = this.dates.get(concertDateId);
    return found && found.concert.ready && !found.concert.loading ? found : undefined;
  }

  private async ready(concertId: string): Promise<ConcertMap | undefined> {
    await this.ensure(concertId);
    const concert = this.concerts.get(concertId);
    return concert?.ready && !concert.loading ? concert : undefined;
  }

  private async ensure(concertId: string): Promise<void> {
    const concert = this.concerts.get(concertId);
    if (concert) return concert.loading;
    const fresh: ConcertMap = { concertId, dates: [], ready: false, skew: 0, pending: [] };
    this.concerts.set(concertId, fresh);
    return this.load(fresh);
  }

  private reload(concert: ConcertMap): void {
    if (concert.loading) return;
    concert.ready = false;
    void this.load(concert);
  }

  private load(concert: ConcertMap): Promise<void> {
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
    const { prisma } = this.deps;
    const refs = await prisma.$queryRaw<(ConcertDateRef & { startsAt: Date })[]>`
      SELECT id, concert_id AS concertId, date, starts_at AS startsAt
      FROM concert_dates WHERE concert_id = ${concert.concertId} ORDER BY date`;
    for (const ref of refs) this.listen(ref.id);
    const versions = await this.readVersions(refs.map((r) => r.id));
    const local = this.deps.clock.now().getTime();
    const rows = await prisma.$queryRaw<SeatRow[]>`
      SELECT s.concert_date_id AS dateId, s.id, s.number, s.price, r.id AS reservationId,
             r.status, r.expires_at AS expiresAt, NOW(3) AS dbNow
      FROM concert_dates d
      JOIN seats s ON s.concert_date_id = d.id
      LEFT JOIN reservations r ON r.seat_id = s.id AND r.live = 1
      WHERE d.concert_id = ${concert.concertId}`;
    concert.skew = rows[0] ? rows[0].dbNow.getTime() - local : 0;
    const maps = refs.map((ref, i): DateMap => {
      const v = versions[i]!;
      return { ref, cells: new Map(), base: v, contiguous: v, seen: new Set(), missing: null };
    });
    const byId = new Map(maps.map((m) => [m.ref.id, m]));
    for (const row of rows) byId.get(row.dateId)?.cells.set(Number(row.number), cellOf(row, local));
    for (const old of concert.dates) this.dates.delete(old.ref.id);
    concert.dates = maps;
    for (const map of maps) this.dates.set(map.ref.id, { concert, map });
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

  private versionKey(concertDateId: string): string {
    return `${this.deps.prefix}seatver:{${concertDateId}}`;
  }

  private dbNow(concert: ConcertMap): number {
    return this.deps.clock.now().getTime() + concert.skew;
  }
}

interface SeatRow {
  dateId: string;
  id: string;
  number: number;
  price: number;
  reservationId: string | null;
  status: "HELD" | "CONFIRMED" | null;
  expiresAt: Date | null;
  dbNow: Date;
}

function cellOf(row: SeatRow, local: number): Cell {
  const status: SeatStatus = row.status === "CONFIRMED" ? "SOLD" : row.status === "HELD" ? "HELD" : "FREE";
  return {
    id: row.id,
    number: Number(row.number),
    price: Number(row.price),
    status,
    holder: row.reservationId,
    until: row.expiresAt?.getTime() ?? 0,
    ended: null,
    takenAt: status === "FREE" ? 0 : local,
  };
}

/** One change to one seat; a change of an older reservation than the seat's holder is ignored. */
export function applyTo(cell: Cell, event: VersionedSeatChange, local: number): void {
  const r = event.reservationId ?? null;
  switch (event.status) {
    case "SOLD":
      Object.assign(cell, { status: "SOLD", holder: r, takenAt: local });
      return;
    case "HELD":
      if (r !== null && (cell.ended === r || (cell.status === "SOLD" && cell.holder === r))) return;
      Object.assign(cell, { status: "HELD", holder: r, until: event.expiresAt ?? Infinity, takenAt: local });
      return;
    case "FREE":
      if (r !== null && cell.holder !== null && cell.holder !== r) return;
      if (cell.status === "SOLD" && r === null) return;
      Object.assign(cell, { status: "FREE", holder: null, until: 0, ended: r });
  }
}

function statusAt(cell: Cell, dbNow: number): SeatStatus {
  if (cell.status === "HELD" && cell.until <= dbNow) return "FREE";
  return cell.status;
}

function countFree(map: DateMap, dbNow: number): number {
  let free = 0;
  for (const cell of map.cells.values()) if (statusAt(cell, dbNow) === "FREE") free += 1;
  return free;
}

function sorted(map: DateMap): Cell[] {
  return [...map.cells.values()].sort((a, b) => a.number - b.number);
}
