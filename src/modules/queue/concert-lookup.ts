import type { CatalogueChangedEvent } from "../../platform/redis/topics.js";
import type { ConcertRepository } from "../concert/concert.repository.js";

/** What the queue needs to know of concerts: does this one exist? */
export interface ConcertLookup {
  exists(concertId: string): Promise<boolean>;
}

/**
 * The concert module's repository, with the answers cached in the process. Concerts are never
 * deleted while on sale, so a positive answer is kept; an operator's change (CATALOGUE_CHANGED)
 * drops the concert's entry on every instance.
 */
export class CachedConcertLookup implements ConcertLookup {
  private readonly known = new Set<string>();
  constructor(private readonly concerts: Pick<ConcertRepository, "concertExists">) {}

  async exists(concertId: string): Promise<boolean> {
    if (this.known.has(concertId)) return true;
    // Ids are CHAR(36); anything longer cannot exist (and must not reach a key name).
    if (concertId.length === 0 || concertId.length > 36 || /[{}\s]/.test(concertId)) return false;
    const found = await this.concerts.concertExists(concertId);
    if (found) this.known.add(concertId);
    return found;
  }

  forget(event: CatalogueChangedEvent): void {
    this.known.delete(event.concertId);
  }
}
