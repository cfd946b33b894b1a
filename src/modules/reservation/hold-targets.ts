// The per-process copy of each date's seats that reserveSeat looks its seat up in. Dates and
// seats never change once on sale; an operator's change drops the date (or every date of the
// concert) on every instance at once (CATALOGUE_CHANGED → forget).
import type { Clock } from "../../platform/clock.js";
import type { CatalogueChangedEvent } from "../../platform/redis/topics.js";

/** A concert date and its seats as reserveSeat needs them. */
export interface DateSeats {
  concertId: string;
  /** The show's calendar day (UTC midnight of that day). */
  date: Date;
  seats: Map<number, { id: string; price: number }>;
}

/**
 * How long a date's seat list is reused before it is read again: the bound keeps a manual fix
 * in the database visible within a minute.
 */
const HOLD_TARGET_TTL_MS = 60_000;
/** Only dates that exist are kept, so the cache is bounded by the real dates. */
const HOLD_TARGET_MAX = 10_000;

export class HoldTargets {
  private readonly dates = new Map<string, DateSeats & { loadedAt: number }>();
  /**
   * The read of a date under way: every caller that finds the date missing or too old meanwhile
   * waits for that one read instead of sending its own. At a sale's opening thousands of
   * reserveSeat for one date arrive before its first read has answered; each used to send the
   * same SELECT (2,000 of them in the bench's seat race).
   */
  private readonly loading = new Map<string, Promise<DateSeats | null>>();
  /** Moves on every forget: a read that began before it is answered but not kept. */
  private generation = 0;

  constructor(private readonly clock: Clock) {}

  /** The cached seats of the date, or `load`'s answer (kept when the date exists). */
  async get(concertDateId: string, load: () => Promise<DateSeats | null>): Promise<DateSeats | null> {
    const cached = this.dates.get(concertDateId);
    if (cached && this.clock.now().getTime() - cached.loadedAt <= HOLD_TARGET_TTL_MS) return cached;
    const pending = this.loading.get(concertDateId);
    if (pending) return pending;
    const read: Promise<DateSeats | null> = this.read(concertDateId, load).finally(() => {
      if (this.loading.get(concertDateId) === read) this.loading.delete(concertDateId);
    });
    this.loading.set(concertDateId, read);
    return read;
  }

  /** Drops the named date, or every cached date of the concert when no date is named. */
  forget(event: CatalogueChangedEvent): void {
    this.generation += 1;
    if (event.concertDateId !== undefined) {
      this.dates.delete(event.concertDateId);
      this.loading.delete(event.concertDateId);
      return;
    }
    for (const [id, target] of this.dates) if (target.concertId === event.concertId) this.dates.delete(id);
    // A read under way may be of this concert (its concert is known only once it answers).
    this.loading.clear();
  }

  private async read(
    concertDateId: string,
    load: () => Promise<DateSeats | null>,
  ): Promise<DateSeats | null> {
    const generation = this.generation;
    const loaded = await load();
    if (loaded && generation === this.generation) {
      if (this.dates.size >= HOLD_TARGET_MAX) this.dates.clear();
      this.dates.set(concertDateId, { ...loaded, loadedAt: this.clock.now().getTime() });
    }
    return loaded;
  }
}
