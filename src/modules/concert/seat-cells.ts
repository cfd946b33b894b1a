// One seat of a seat map and the one rule for a change to it (seat-board.ts): events may arrive
// in any order across instances, and a change of an older reservation than the seat's current
// one never overrides it.
import type { SeatChangedEvent } from "../../platform/redis/topics.js";
import type { ConcertDateRef, SeatStatus } from "./concert.model.js";

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

export interface ConcertMap {
  concertId: string;
  dates: DateMap[];
  ready: boolean;
  /** database time − local clock, measured at load. */
  skew: number;
  /** A read of the whole concert under way: every read of it goes to SQL meanwhile. */
  loading?: Promise<void>;
  /**
   * Dates being read again on their own (a missed event, a refusal by MySQL): only their reads
   * go to SQL meanwhile; the concert's other dates answer from memory.
   */
  rereading: Set<string>;
  /** Events of the dates being read (all of them, or those in `rereading`), applied after. */
  pending: VersionedSeatChange[];
}

export interface DateMap {
  ref: ConcertDateRef & { startsAt: Date };
  cells: Map<number, Cell>;
  base: number;
  contiguous: number;
  seen: Set<number>;
  /** A version Redis had that had not arrived at the last check. */
  missing: number | null;
  /** This map among every map this process made (a re-read makes a new one): part of answerStamp. */
  generation: number;
  /** Changes applied to its cells since it was made: part of answerStamp. */
  changes: number;
}

/** The last DateMap.generation given out. */
let generations = 0;

export interface SeatRow {
  dateId: string;
  id: string;
  number: number;
  price: number;
  reservationId: string | null;
  status: "HELD" | "CONFIRMED" | null;
  expiresAt: Date | null;
  dbNow: Date;
}

/**
 * Fresh maps of `refs` at their Redis `versions`, filled from `rows` (the live seats read after
 * the versions, so a change numbered up to a version is in the rows).
 */
export function mapsOf(
  refs: DateMap["ref"][],
  versions: number[],
  rows: SeatRow[],
  local: number,
): DateMap[] {
  const maps = refs.map((ref, i): DateMap => {
    const v = versions[i]!;
    generations += 1;
    return {
      ref,
      cells: new Map(),
      base: v,
      contiguous: v,
      seen: new Set(),
      missing: null,
      generation: generations,
      changes: 0,
    };
  });
  const byId = new Map(maps.map((m) => [m.ref.id, m]));
  for (const row of rows) byId.get(row.dateId)?.cells.set(Number(row.number), cellOf(row, local));
  return maps;
}

export function cellOf(row: SeatRow, local: number): Cell {
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

export function statusAt(cell: Cell, dbNow: number): SeatStatus {
  if (cell.status === "HELD" && cell.until <= dbNow) return "FREE";
  return cell.status;
}

/**
 * The stamp of what the map answers at `dbNow`: equal stamps, equal answers. Between changes a
 * map's answers move only by holds lapsing, and the holds lapsed by a time are those with the
 * earliest `until`, so their count says which they are (even if the clock's skew moved back).
 */
export function stampOf(map: DateMap, dbNow: number): string {
  let lapsed = 0;
  for (const cell of map.cells.values()) if (cell.status === "HELD" && cell.until <= dbNow) lapsed += 1;
  return `${map.generation}.${map.changes}.${lapsed}`;
}

export function countFree(map: DateMap, dbNow: number): number {
  let free = 0;
  for (const cell of map.cells.values()) if (statusAt(cell, dbNow) === "FREE") free += 1;
  return free;
}

/**
 * The date's cells by seat number: the load inserts them in that order (liveSeatsOf's ORDER BY)
 * and changes only update cells in place, so a read never sorts.
 */
export function bySeatNumber(map: DateMap): IterableIterator<Cell> {
  return map.cells.values();
}
